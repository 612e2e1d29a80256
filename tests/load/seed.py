"""Seed a prod-local platform for `make load` (run with its settings: tests/load/run_load.py).

    python tests/load/seed.py --videos 300 --viewers 1000 --payers 50 --uploaders 50 --out seed.json

- a few HLS ladders in the object store (master + one 360p variant of 6-second segments), shared
  by a catalog of `--videos` published videos (two thirds free, one third priced);
- `--viewers` students, `--payers` buyers and `--uploaders` instructors, with access tokens
  (rows written directly: the load measures playback, not the login limits);
- seed.json: tokens, free and priced video ids, and one signed segment + the same bytes' key for
  the static baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from pathlib import Path

SEGMENTS = 10
SEGMENT_SECONDS = 6


def ladder_objects(prefix: str, segment_bytes: int) -> dict[str, bytes]:
    """What the media worker writes under a job prefix, with synthetic segment bytes."""
    segment = b"\x47" + os.urandom(segment_bytes - 1)
    master = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
    )
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    objects = {f"{prefix}hls/master.m3u8": master.encode()}
    for n in range(SEGMENTS):
        lines += [f"#EXTINF:{SEGMENT_SECONDS}.0,", f"seg_{n:05d}.ts"]
        objects[f"{prefix}hls/360p/seg_{n:05d}.ts"] = segment
    objects[f"{prefix}hls/360p/index.m3u8"] = ("\n".join([*lines, "#EXT-X-ENDLIST", ""])).encode()
    objects[f"{prefix}poster.jpg"] = b"\xff\xd8\xff\xe0" + os.urandom(2048)
    objects[f"{prefix}sprite.jpg"] = b"\xff\xd8\xff\xe0" + os.urandom(2048)
    objects[f"{prefix}sprite.vtt"] = b"WEBVTT\n\n00:00:00.000 --> 00:00:06.000\nsprite.jpg#xywh=0,0,160,90\n"
    return objects


def seed(args: argparse.Namespace) -> dict[str, object]:
    from app.auth.models import Role, User
    from app.core.clock import utcnow
    from app.core.config import get_settings
    from app.core.ids import uuid7
    from app.core.security import create_access_token, hash_password
    from app.core.storage import get_object_store
    from app.db.session import sync_session
    from app.media.models import Video, VideoStatus
    from app.media.service import search_text
    from app.media.signing import NginxSigner

    settings = get_settings()
    store = get_object_store()
    ladders = []
    for n in range(args.ladders):
        prefix = f"videos/load-ladder-{n}/{uuid.uuid4()}/"
        for key, data in ladder_objects(prefix, args.segment_bytes).items():
            store.put_bytes(key, data)
        ladders.append(prefix)
    password = hash_password(uuid.uuid4().hex)  # nobody logs in: tokens below
    now = utcnow()

    def users(role: Role, count: int, label: str) -> list[User]:
        return [
            User(
                email=f"load-{label}-{i}-{uuid.uuid4().hex[:6]}@example.com",
                display_name=f"Load {label} {i}",
                password_hash=password,
                role=role,
                is_active=True,
                email_verified_at=now,
            )
            for i in range(count)
        ]

    disciplines = ["karate", "judo", "bjj", "muay_thai", "taekwondo", "kung_fu"]
    words = ["kata", "kick", "throw", "guard", "sweep", "combination", "footwork", "drill"]
    with sync_session() as session:
        owner = users(Role.instructor, 1, "owner")[0]
        viewers = users(Role.student, args.viewers, "viewer")
        payers = users(Role.student, args.payers, "payer")
        uploaders = users(Role.instructor, args.uploaders, "uploader")
        session.add_all([owner, *viewers, *payers, *uploaders])
        session.flush()
        free, priced = [], []
        for i in range(args.videos):
            video = Video(
                owner_id=owner.id,
                title=f"{disciplines[i % 6].replace('_', ' ').title()} {words[i % 8]} {i}",
                description=f"Load catalog video {i}: {words[(i * 3) % 8]} and {words[(i * 5) % 8]}.",
                discipline=disciplines[i % 6],
                tags=[words[i % 8], words[(i + 1) % 8]],
                status=VideoStatus.published,
                published_at=now,
                media_prefix=ladders[i % len(ladders)],
                poster_key=ladders[i % len(ladders)] + "poster.jpg",
                duration_s=float(SEGMENTS * SEGMENT_SECONDS),
                renditions=["360p"],
                width=640,
                height=360,
            )
            if i % 3 == 2:
                video.price_cents, video.currency = 500 + (i % 7) * 100, "EUR"
            video.id = uuid7()
            video.search_text = search_text(video)
            session.add(video)
            (priced if video.price_cents else free).append(str(video.id))

        def tokens(rows: list[User]) -> list[str]:
            return [create_access_token(settings, u.id, u.role.value)[0] for u in rows]

        result: dict[str, object] = {
            "free_videos": free,
            "priced_videos": priced,
            "viewer_tokens": tokens(viewers),
            "payer_tokens": tokens(payers),
            "uploader_tokens": tokens(uploaders),
        }
    signer = NginxSigner(settings)
    segment_key = f"{ladders[0]}hls/360p/seg_00000.ts"
    result["signed_segment"] = signer.signed_media_url(segment_key, int(now.timestamp()) + 24 * 3600)
    result["segment_bytes"] = args.segment_bytes
    result["segment_key"] = segment_key
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--payers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=50)
    parser.add_argument("--ladders", type=int, default=6)
    parser.add_argument("--segment-bytes", type=int, default=256 * 1024)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.write_text(json.dumps(seed(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
