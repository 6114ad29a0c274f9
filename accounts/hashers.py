"""Password hashing: Argon2id, with the parameters recommended by OWASP.

OWASP's Password Storage Cheat Sheet recommends Argon2id (memory-hard: a guess costs memory as
well as time, which blunts GPU and ASIC attacks) with, as its base configuration, 19 MiB of memory,
2 passes and 1 lane. Checking a password then takes about 35 ms of one core, against about 540 ms
for Django's PBKDF2 (1,000,000 iterations of SHA-256), which OWASP rates no stronger: the portal's
two cores can serve a wave of logins (the opening of a call for applications) without stalling
every page.

Hashes made with other parameters or by PBKDF2 (accounts created before) stay valid and are
rehashed with these at the user's next login (Django's ``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (type id, algorithm name "argon2") with OWASP's parameters."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
