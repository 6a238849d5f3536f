"""A certificate authority and a server certificate for the demo's HTTPS target, made at start: the server
certificate is near the end of its life, so the demo shows what a certificate about to expire looks like."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LIFETIME = timedelta(days=90)
LEFT = timedelta(days=5)


@dataclass(frozen=True)
class DemoCertificate:
    authority: Path
    chain: Path
    key: Path


def make_certificate(folder: Path, host: str) -> DemoCertificate:
    """Files for a server on `host` (an address or a name) whose certificate has LEFT of its LIFETIME to run."""
    now = datetime.now(UTC)
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Watchkeeper demo authority")])
    authority = (
        _builder(authority_name, authority_name, authority_key.public_key(), now - timedelta(days=365), now + LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(authority_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]),
            authority_name,
            server_key.public_key(),
            now + LEFT - LIFETIME,
            now + LEFT,
        )
        .add_extension(x509.SubjectAlternativeName([_name(host)]), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    files = DemoCertificate(folder / "demo-authority.pem", folder / "demo-server.pem", folder / "demo-server.key")
    files.authority.write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    files.chain.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePublicKey, start: datetime, end: datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )


def _name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ip_address(host))
    except ValueError:
        return x509.DNSName(host)
