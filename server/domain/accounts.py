"""Rules for usernames and passwords (pure; the accounts service applies them)."""

from __future__ import annotations

import unicodedata

import regex

USERNAME_RE = regex.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,38}[A-Za-z0-9_]$")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 1024

# The most common passwords of public breach corpora; refusing them is what ASVS 6.2.4 asks.
COMMON_PASSWORDS = frozenset(
    """123456 123456789 12345678 password qwerty123 qwerty 1234567890 1234567 111111 123123
    abc123 password1 iloveyou 000000 qwertyuiop 1q2w3e4r 654321 123321 666666 987654321
    1qaz2wsx dragon sunshine princess letmein monkey football baseball welcome welcome1
    admin123 administrator passw0rd password123 trustno1 superman starwars master login
    whatever shadow michael jennifer hunter2 charlie donald freedom access zaq12wsx
    q1w2e3r4 asdfghjkl asdf1234 11111111 00000000 12341234 88888888 987654321 1234qwer
    changeme secret123 default doctor123 radiology radiologist hospital nurse123
    conference congress backchannel""".split()
)


def username_key(username: str) -> str:
    """The comparison key for usernames: NFKC then case-folded, so look-alikes collide."""
    return unicodedata.normalize("NFKC", username).casefold()


def username_problem(username: str) -> str | None:
    if not USERNAME_RE.fullmatch(username):
        return (
            "Usernames are 3-40 characters: letters, digits, '_', '.', '-', "
            "starting and ending with a letter, digit or '_'."
        )
    return None


def password_problem(password: str, *, username: str = "") -> tuple[str, str] | None:
    """``(code, message)`` when the password is not acceptable, else ``None``."""
    if len(password.encode("utf-8", "surrogatepass")) > MAX_PASSWORD_BYTES:
        return "too_long", f"Passwords are at most {MAX_PASSWORD_BYTES} bytes."
    if len(password) < MIN_PASSWORD:
        return "weak_password", f"Use at least {MIN_PASSWORD} characters (a passphrase is best)."
    lowered = password.casefold()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.casefold()):
        return "weak_password", "That password is too common; choose another."
    return None
