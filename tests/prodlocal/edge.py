"""nginx/prod.conf rendered for a loopback edge: values, a self-signed certificate, the command."""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
NGINX_DIR = REPO / "nginx"


def _load_render() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mamc_nginx_render", NGINX_DIR / "render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_module = _load_render()


@dataclass(frozen=True)
class EdgeConfig:
    """prod.conf's placeholders for one edge (nginx/prod.conf documents each)."""

    https_port: int
    http_port: int
    api_upstream: str
    cert_dir: Path
    web_root: Path
    run_dir: Path
    media_root: Path
    media_origin: str  # ends in "/": S3 base (http://127.0.0.1:<moto>/<bucket>/) or the local socket
    signing_secret: str
    server_name: str = "127.0.0.1"
    media_hosts: str = "'self'"
    host: str = "127.0.0.1"

    @property
    def public_url(self) -> str:
        return f"https://{self.host}:{self.https_port}"

    def values(self) -> dict[str, str]:
        return {
            "NGINX_SERVER_NAME": self.server_name,
            "NGINX_PUBLIC_URL": self.public_url,
            "NGINX_HTTP_LISTEN": f"{self.host}:{self.http_port}",
            "NGINX_HTTPS_LISTEN": f"{self.host}:{self.https_port}",
            "NGINX_CERT_DIR": str(self.cert_dir),
            "NGINX_API_UPSTREAM": self.api_upstream,
            "NGINX_WEB_ROOT": str(self.web_root),
            "NGINX_RUN_DIR": str(self.run_dir),
            "NGINX_MEDIA_ROOT": str(self.media_root),
            "NGINX_MEDIA_ORIGIN": self.media_origin,
            "NGINX_MEDIA_HOSTS": self.media_hosts,
            "MEDIA_SIGNING_SECRET": self.signing_secret,
        }

    def write(self) -> Path:
        """Render prod.conf into run_dir/nginx.conf (removing a socket a killed nginx left)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "media-origin.sock").unlink(missing_ok=True)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(render_module.render((NGINX_DIR / "prod.conf").read_text(), self.values()))
        return conf

    def command(self, nginx: str) -> list[str]:
        """The edge image's CMD (`nginx -c <rendered> -g "daemon off;"`) with a private prefix.
        As root, workers run as root too: the prefix lives under a developer's checkout."""
        conf = self.run_dir / "nginx.conf"
        daemon = "daemon off; user root;" if os.geteuid() == 0 else "daemon off;"
        return [
            nginx,
            "-p",
            str(self.run_dir),
            "-e",
            str(self.run_dir / "error.log"),
            "-c",
            str(conf),
            "-g",
            daemon,
        ]


def local_media_origin(run_dir: Path) -> str:
    """NGINX_MEDIA_ORIGIN for the local object store (prod.conf's media-origin socket)."""
    return f"http://unix:{run_dir / 'media-origin.sock'}:/"


def make_self_signed_cert(directory: Path, hosts: list[str]) -> Path:
    """fullchain.pem + privkey.pem for `hosts` (DNS names or IP addresses); returns the cert
    path, which clients use as their CA bundle."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private = directory / "privkey.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    return directory / "fullchain.pem"
