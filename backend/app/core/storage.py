"""Object storage behind one interface: S3 (boto3; MinIO/moto/AWS) or a local directory.

The local store speaks the same flow as S3 for clients: presigned multipart part URLs and
presigned GETs, served by the app itself (app/storage/router.py) and checked by HMAC signature.
Keys are plain '/'-separated paths chosen by the caller; writers derive them from the job so a
rerun overwrites instead of duplicating.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import json
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from app.core.config import Settings, get_settings
from app.core.errors import InsufficientStorage, NotFound, PermissionDenied, ValidationFailed
from app.core.security import derive_key


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str


@dataclass(frozen=True)
class UploadedPart:
    part_number: int
    etag: str
    size: int = 0


@dataclass(frozen=True)
class MultipartUpload:
    """An open (neither completed nor aborted) multipart upload."""

    key: str
    upload_id: str
    initiated: datetime  # UTC aware


class ObjectStore(Protocol):
    def put_bytes(self, key: str, data: bytes, content_type: str = ...) -> None: ...
    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def download(self, key: str, dest: Path) -> None: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]: ...
    def delete(self, key: str) -> None: ...
    def delete_prefix(self, prefix: str) -> int: ...
    def presign_get(self, key: str, ttl_seconds: int) -> str: ...
    def create_multipart(self, key: str, content_type: str) -> str: ...
    def presign_part(
        self, key: str, upload_id: str, part_number: int, ttl_seconds: int, *, size: int
    ) -> str: ...
    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]: ...
    def complete_multipart(self, key: str, upload_id: str, parts: list[UploadedPart]) -> None: ...
    def abort_multipart(self, key: str, upload_id: str) -> None: ...
    def list_multipart_uploads(self, prefix: str) -> Iterator[MultipartUpload]: ...
    def ping(self) -> None: ...


CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".vtt": "text/vtt",
    ".json": "application/json",
}


def guess_content_type(key: str) -> str:
    return CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValidationFailed(f"Invalid object key: {key!r}", code="invalid_object_key")
    return key


@contextmanager
def _writing(*partial: Path) -> Iterator[None]:
    """Writes to temporary files that become objects only when complete: on any error the
    temporaries go, and a full disk is a clear 507 (what was stored before is untouched)."""
    try:
        yield
    except BaseException as exc:
        for path in partial:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            from app.core.i18n import t

            raise InsufficientStorage(t("errors.storage_full")) from exc
        raise


class PartTooLarge(ValidationFailed):
    status_code = 413
    code = "part_too_large"


class PartWriter:
    """One part being received: bytes go straight to a temporary file in the upload's staging
    directory (never held in memory), at most `size` of them; `commit` puts the part in place
    only if exactly `size` arrived. Blocking file IO: async callers run it in a thread."""

    def __init__(self, staging: Path, part_number: int, size: int) -> None:
        self.part_number = part_number
        self.size = size
        self.received = 0
        self._staging = staging
        self._digest = hashlib.md5(usedforsecurity=False)
        self._tmp = staging / f"{part_number:05d}.{uuid.uuid4().hex}.tmp"
        self._file = self._tmp.open("wb")

    def write(self, chunk: bytes) -> None:
        if self.received + len(chunk) > self.size:
            self.discard()
            raise PartTooLarge(
                f"Part {self.part_number} is larger than its declared {self.size} bytes.",
                details={"part_number": self.part_number, "expected": self.size},
            )
        self._digest.update(chunk)
        try:
            with _writing(self._tmp):
                self._file.write(chunk)
        except BaseException:
            with suppress(OSError):  # flushing the rest may fail again on a full disk
                self._file.close()
            raise
        self.received += len(chunk)

    def commit(self) -> str:
        """The part's ETag; a part shorter than declared is discarded (400)."""
        with _writing(self._tmp):
            self._file.close()
        if self.received != self.size:
            self._tmp.unlink(missing_ok=True)
            raise ValidationFailed(
                f"Part {self.part_number} has {self.received} bytes instead of its declared {self.size}.",
                code="upload_size_mismatch",
                params={"part": self.part_number, "received": self.received, "expected": self.size},
                details={"part_number": self.part_number, "expected": self.size, "received": self.received},
            )
        etag = self._digest.hexdigest()
        etag_tmp = self._tmp.with_suffix(".etag-tmp")
        with _writing(self._tmp, etag_tmp):
            etag_tmp.write_text(etag)
        self._tmp.replace(self._staging / f"{self.part_number:05d}.part")
        etag_tmp.replace(self._staging / f"{self.part_number:05d}.etag")
        return etag

    def discard(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)


class LocalObjectStore:
    """Objects are files under `root`; multipart parts are staged under root/.multipart."""

    def __init__(self, root: Path, *, base_url: str, secret: bytes) -> None:
        self.root = root
        self._staging = root / ".multipart"
        self._base_url = base_url.rstrip("/")
        self._secret = secret
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        return self.root / _check_key(key)

    # -- signatures used by the local upload/download routes
    def sign(self, payload: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).rstrip(b"=")
        mac = hmac.new(self._secret, body, hashlib.sha256).digest()
        return f"{body.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    def verify(self, token: str, *, purpose: str) -> dict[str, Any]:
        try:
            body, mac = token.split(".", 1)
            expected = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
            given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
            if not hmac.compare_digest(expected, given):
                raise ValueError("bad mac")
            payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, json.JSONDecodeError) as exc:
            raise PermissionDenied("Invalid signature.", code="bad_signature") from exc
        if payload.get("p") != purpose:
            raise PermissionDenied("Invalid signature.", code="bad_signature")
        if float(payload.get("exp", 0)) < time.time():
            raise PermissionDenied("This link has expired.", code="signature_expired")
        return payload

    # -- plain objects
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        with _writing(tmp):
            tmp.write_bytes(data)
        tmp.replace(path)

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        dest = self.path_for(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
        with _writing(tmp):
            shutil.copyfile(path, tmp)
        tmp.replace(dest)

    def get_bytes(self, key: str) -> bytes:
        path = self.path_for(key)
        if not path.is_file():
            raise NotFound(f"No object {key}", code="object_not_found")
        return path.read_bytes()

    def download(self, key: str, dest: Path) -> None:
        path = self.path_for(key)
        if not path.is_file():
            raise NotFound(f"No object {key}", code="object_not_found")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)

    def head(self, key: str) -> ObjectInfo | None:
        path = self.path_for(key)
        if not path.is_file():
            return None
        stat = path.stat()
        return ObjectInfo(key=key, size=stat.st_size, etag=f"{stat.st_mtime_ns:x}-{stat.st_size:x}")

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        base = self.root / prefix if prefix else self.root
        search_root = base if base.is_dir() else base.parent
        if not search_root.exists():
            return
        for path in sorted(search_root.rglob("*")):
            if not path.is_file() or self._staging in path.parents or path.name.endswith(".tmp"):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                info = self.head(key)
                if info:
                    yield info

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in self.list_objects(prefix)]
        for key in keys:
            self.delete(key)
        return len(keys)

    def presign_get(self, key: str, ttl_seconds: int) -> str:
        token = self.sign({"p": "get", "k": _check_key(key), "exp": time.time() + ttl_seconds})
        return f"{self._base_url}/api/v1/storage/objects/{quote(key)}?token={token}"

    # -- multipart
    def create_multipart(self, key: str, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        staging = self._staging / upload_id
        staging.mkdir(parents=True)
        meta = {"key": _check_key(key), "initiated": time.time()}
        (staging / "meta.json").write_text(json.dumps(meta))
        return upload_id

    def _staging_dir(self, key: str, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise NotFound("No such upload.", code="upload_not_found")
        staging = self._staging / upload_id
        meta = staging / "meta.json"
        if not meta.is_file() or json.loads(meta.read_text())["key"] != key:
            raise NotFound("No such upload.", code="upload_not_found")
        return staging

    def presign_part(self, key: str, upload_id: str, part_number: int, ttl_seconds: int, *, size: int) -> str:
        """A signed PUT URL for one part of exactly `size` bytes (the token carries the size)."""
        self._staging_dir(key, upload_id)
        token = self.sign(
            {
                "p": "part",
                "k": key,
                "u": upload_id,
                "n": part_number,
                "s": size,
                "exp": time.time() + ttl_seconds,
            }
        )
        return f"{self._base_url}/api/v1/storage/parts?token={token}"

    def open_part(self, key: str, upload_id: str, part_number: int, size: int) -> PartWriter:
        """Start receiving a part (see PartWriter); a retried part replaces the earlier one."""
        return PartWriter(self._staging_dir(key, upload_id), part_number, size)

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        staging = self._staging_dir(key, upload_id)
        parts = []
        for part in sorted(staging.glob("*.part")):
            number = int(part.stem)
            etag = (staging / f"{part.stem}.etag").read_text()
            parts.append(UploadedPart(part_number=number, etag=etag, size=part.stat().st_size))
        return parts

    def complete_multipart(self, key: str, upload_id: str, parts: list[UploadedPart]) -> None:
        staging = self._staging_dir(key, upload_id)
        stored = {p.part_number: p for p in self.list_parts(key, upload_id)}
        numbers = [p.part_number for p in parts]
        if not parts or numbers != sorted(set(numbers)):
            raise ValidationFailed(
                "Parts must be listed once each, in ascending order.", code="invalid_parts"
            )
        for part in parts:
            have = stored.get(part.part_number)
            if have is None or have.etag.strip('"') != part.etag.strip('"'):
                raise ValidationFailed(
                    f"Part {part.part_number} is missing or its ETag does not match.",
                    code="invalid_parts",
                )
        dest = self.path_for(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
        with _writing(tmp), tmp.open("wb") as out:
            for part in parts:
                with (staging / f"{part.part_number:05d}.part").open("rb") as src:
                    shutil.copyfileobj(src, out, 1024 * 1024)
        tmp.replace(dest)
        shutil.rmtree(staging, ignore_errors=True)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        shutil.rmtree(self._staging_dir(key, upload_id), ignore_errors=True)

    def list_multipart_uploads(self, prefix: str) -> Iterator[MultipartUpload]:
        if not self._staging.is_dir():
            return
        for staging in sorted(self._staging.iterdir()):
            meta_file = staging / "meta.json"
            try:
                meta = json.loads(meta_file.read_text())
                initiated = float(meta.get("initiated") or meta_file.stat().st_mtime)
            except (OSError, ValueError):
                continue  # completed or aborted meanwhile
            if str(meta["key"]).startswith(prefix):
                yield MultipartUpload(
                    key=str(meta["key"]),
                    upload_id=staging.name,
                    initiated=datetime.fromtimestamp(initiated, UTC),
                )

    def ping(self) -> None:
        probe = self.root / ".ping"
        probe.write_bytes(b"ok")
        probe.unlink()


class S3ObjectStore:
    def __init__(self, settings: Settings) -> None:
        import boto3
        from botocore.config import Config

        secret = settings.s3_secret_access_key
        self._client: Any = boto3.client(
            "s3",
            region_name=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url or None,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(signature_version="s3v4", retries={"max_attempts": 5, "mode": "standard"}),
        )
        self.bucket = settings.s3_bucket

    @property
    def client(self) -> Any:
        return self._client

    def _missing(self, exc: Exception) -> bool:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        return code in ("404", "NoSuchKey", "NotFound", "NoSuchUpload")

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._client.put_object(Bucket=self.bucket, Key=_check_key(key), Body=data, ContentType=content_type)

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        self._client.upload_file(
            str(path),
            self.bucket,
            _check_key(key),
            ExtraArgs={"ContentType": content_type or guess_content_type(key)},
        )

    def get_bytes(self, key: str) -> bytes:
        try:
            return bytes(self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except self._client.exceptions.NoSuchKey as exc:
            raise NotFound(f"No object {key}", code="object_not_found") from exc

    def download(self, key: str, dest: Path) -> None:
        from botocore.exceptions import ClientError

        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._client.download_file(self.bucket, key, str(dest))
        except ClientError as exc:
            if self._missing(exc):
                raise NotFound(f"No object {key}", code="object_not_found") from exc
            raise

    def head(self, key: str) -> ObjectInfo | None:
        from botocore.exceptions import ClientError

        try:
            meta = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise
        return ObjectInfo(key=key, size=int(meta["ContentLength"]), etag=str(meta["ETag"]).strip('"'))

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield ObjectInfo(key=item["Key"], size=int(item["Size"]), etag=str(item["ETag"]).strip('"'))

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in self.list_objects(prefix)]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(keys)

    def presign_get(self, key: str, ttl_seconds: int) -> str:
        return str(
            self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=ttl_seconds
            )
        )

    def create_multipart(self, key: str, content_type: str) -> str:
        resp = self._client.create_multipart_upload(
            Bucket=self.bucket, Key=_check_key(key), ContentType=content_type
        )
        return str(resp["UploadId"])

    def presign_part(self, key: str, upload_id: str, part_number: int, ttl_seconds: int, *, size: int) -> str:
        """Content-Length is a signed header: S3 refuses a body of any other size."""
        return str(
            self._client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "UploadId": upload_id,
                    "PartNumber": part_number,
                    "ContentLength": size,
                },
                ExpiresIn=ttl_seconds,
            )
        )

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        from botocore.exceptions import ClientError

        parts: list[UploadedPart] = []
        try:
            paginator = self._client.get_paginator("list_parts")
            for page in paginator.paginate(Bucket=self.bucket, Key=key, UploadId=upload_id):
                for item in page.get("Parts", []):
                    parts.append(
                        UploadedPart(int(item["PartNumber"]), str(item["ETag"]).strip('"'), int(item["Size"]))
                    )
        except ClientError as exc:
            if self._missing(exc):
                raise NotFound("No such upload.", code="upload_not_found") from exc
            raise
        return parts

    def complete_multipart(self, key: str, upload_id: str, parts: list[UploadedPart]) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": p.part_number, "ETag": f'"{p.etag.strip(chr(34))}"'} for p in parts
                    ]
                },
            )
        except ClientError as exc:
            if self._missing(exc):
                raise NotFound("No such upload.", code="upload_not_found") from exc
            raise ValidationFailed(f"The upload could not be completed: {exc}", code="invalid_parts") from exc

    def abort_multipart(self, key: str, upload_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if self._missing(exc):
                raise NotFound("No such upload.", code="upload_not_found") from exc
            raise

    def list_multipart_uploads(self, prefix: str) -> Iterator[MultipartUpload]:
        paginator = self._client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Uploads", []):
                initiated: datetime = item["Initiated"]
                if initiated.tzinfo is None:
                    initiated = initiated.replace(tzinfo=UTC)
                yield MultipartUpload(
                    key=str(item["Key"]), upload_id=str(item["UploadId"]), initiated=initiated.astimezone(UTC)
                )

    def ping(self) -> None:
        self._client.head_bucket(Bucket=self.bucket)


def build_object_store(settings: Settings) -> ObjectStore:
    if settings.uses_s3:
        return S3ObjectStore(settings)
    return LocalObjectStore(
        settings.storage_dir,
        base_url=settings.app_base_url,
        secret=derive_key(settings, "local-store"),
    )


@lru_cache
def get_object_store() -> ObjectStore:
    return build_object_store(get_settings())
