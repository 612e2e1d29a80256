import { createMobileApi } from "../src/lib/api";
import { call } from "../src/lib/api";
import { attemptProtocol, runUpload, uploadJournal } from "../src/lib/upload";
import { BASE, FakePlatform, clipFile, fakeDevice } from "./fakePlatform";

async function signedIn(platform: FakePlatform) {
  const device = fakeDevice(platform);
  const api = createMobileApi({ baseUrl: BASE, secure: device.secure, fetch: platform.fetch });
  await api.login(platform.user.email, platform.password);
  return { api, device };
}

async function newAttempt(platform: FakePlatform, size: number) {
  const { api, device } = await signedIn(platform);
  const file = clipFile(size);
  const created = await call(
    api.client.POST("/api/v1/studio/references/{reference_id}/attempts", {
      params: { path: { reference_id: "ref1" } },
      body: { filename: file.name, content_type: file.mimeType, size_bytes: file.size, lang: "en" },
    }),
  );
  return { api, device, file, created, id: created.attempt.id };
}

describe("resumable multipart upload (presign / parts / complete)", () => {
  it("uploads every part, signs the ones not presigned, completes with the ETags", async () => {
    const platform = new FakePlatform();
    const { api, device, file, created, id } = await newAttempt(platform, 23); // 5 parts: 5,5,5,5,3
    const seen: number[] = [];
    await runUpload({ protocol: attemptProtocol(api, id, created.upload), file, sender: device.sender, resume: false, onProgress: (p) => seen.push(p.sentBytes) });
    expect(platform.puts).toEqual([1, 2, 3, 4, 5]);
    expect(platform.storedSizes(id)).toEqual([5, 5, 5, 5, 3]);
    expect(platform.attempts.get(id)!.completed!.map((p) => p.part_number)).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual([0, 5, 10, 15, 20, 23]);
  });

  it("resumes after an interruption: only the parts the server lacks are sent again", async () => {
    const platform = new FakePlatform();
    const { api, device, file, created, id } = await newAttempt(platform, 23);
    await uploadJournal.save(device.storage, { kind: "attempt", id, file, referenceId: "ref1" });
    platform.dropParts.add(3);
    await expect(runUpload({ protocol: attemptProtocol(api, id, created.upload), file, sender: device.sender, resume: false })).rejects.toMatchObject({ code: "network_error" });
    expect(platform.puts).toEqual([1, 2]);
    expect(platform.attempts.get(id)!.completed).toBeNull();

    // The app restarts: the journal says which upload was in flight; the server says which parts it has.
    const entry = await uploadJournal.load(device.storage);
    expect(entry).toMatchObject({ kind: "attempt", id });
    const progress: number[] = [];
    await runUpload({ protocol: attemptProtocol(api, entry!.id), file: entry!.file, sender: device.sender, resume: true, onProgress: (p) => progress.push(p.partsDone) });
    expect(platform.puts).toEqual([1, 2, 3, 4, 5]);
    expect(progress[0]).toBe(2);
    expect(platform.storedSizes(id)).toEqual([5, 5, 5, 5, 3]);
    expect(platform.attempts.get(id)!.attempt.status).toBe("pending");
  });

  it("asks for a fresh URL when a presigned one has expired", async () => {
    const platform = new FakePlatform();
    const { api, device, file, created, id } = await newAttempt(platform, 10);
    platform.expireParts.add(1);
    await runUpload({ protocol: attemptProtocol(api, id, created.upload), file, sender: device.sender, resume: false });
    expect(platform.puts).toEqual([1, 2]);
    expect(platform.attempts.get(id)!.completed).toHaveLength(2);
  });

  it("the server refuses to complete when a part is missing", async () => {
    const platform = new FakePlatform();
    const { api, id } = await newAttempt(platform, 10);
    await expect(attemptProtocol(api, id).complete([{ part_number: 1, etag: '"x"' }])).rejects.toMatchObject({ status: 409, code: "upload_incomplete" });
  });
});

describe("API client", () => {
  it("keeps the refresh token in the secure store and refreshes once on 401", async () => {
    const platform = new FakePlatform();
    const { api, device } = await signedIn(platform);
    expect(await device.secure.get("mamc.refresh_token")).toMatch(/^ref-/);
    platform.accessTokens.clear(); // the access token expires
    const me = await call(api.client.GET("/api/v1/me"));
    expect(me.email).toBe(platform.user.email);
    expect(platform.refreshTokens.size).toBe(1); // rotated, the old one is gone
  });

  it("a refused refresh ends the session", async () => {
    const platform = new FakePlatform();
    const expired = jest.fn();
    const device = fakeDevice(platform);
    const api = createMobileApi({ baseUrl: BASE, secure: device.secure, fetch: platform.fetch, onSessionExpired: expired });
    await api.login(platform.user.email, platform.password);
    platform.accessTokens.clear();
    platform.refreshTokens.clear();
    await expect(call(api.client.GET("/api/v1/me"))).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalled();
    expect(await device.secure.get("mamc.refresh_token")).toBeNull();
  });
});
