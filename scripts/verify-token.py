#!/usr/bin/env python3
"""An independent check that NeuroERP's access tokens are standard JWTs: logs in, fetches the
JWKS and verifies the token with PyJWT (signature, exp, iss, aud). Usage: verify-token.py BASE_URL EMAIL PASSWORD"""
import json
import sys
import urllib.request

import jwt

base, email, password = sys.argv[1:4]
login = urllib.request.Request(
    base + "/api/v1/auth/login", data=json.dumps({"email": email, "password": password}).encode(),
    headers={"Content-Type": "application/json"}, method="POST")
tokens = json.load(urllib.request.urlopen(login, timeout=10))
assert tokens["token_type"] == "Bearer", tokens
token = tokens["access_token"]
header = jwt.get_unverified_header(token)
assert header["alg"] == "EdDSA" and "kid" in header, header
key = jwt.PyJWKClient(base + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["EdDSA"], audience="neuroerp-api", issuer="neuroerp",
                    options={"require": ["exp", "iat", "sub", "iss", "aud"]})
assert claims["tenant"] and claims["permissions"], claims
try:
    jwt.decode(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), key.key, algorithms=["EdDSA"], audience="neuroerp-api")
    sys.exit("a tampered token verified")
except jwt.InvalidSignatureError:
    pass
print(f"PyJWT verified the access token of {email}: kid {header['kid']}, tenant {claims['tenant']}, expires {claims['exp']}")
