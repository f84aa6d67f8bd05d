#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/seeds/<target>/ from
tests/vectors/seed-vectors.json (frames, handshake requests) plus a few hand-made inputs
(RFC 7692 compressed frames, responses, extension offers). Run from anywhere:
    python3 fuzz/seeds/make_seeds.py
Each file's layout is the one its fuzz target documents at the top of fuzz_targets/<target>.rs."""
import base64, hashlib, json, os, pathlib

here = pathlib.Path(__file__).resolve().parent
root = here.parent.parent
vec = json.loads((root / "tests/vectors/seed-vectors.json").read_text())
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def accept(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def write(target, name, data):
    d = here / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(bytes(data))


def mask(payload, key):
    return bytes(b ^ key[i % 4] for i, b in enumerate(payload))


# RFC 7692 §7.2.3: "Hello" compressed, and a second "Hello" with context takeover.
HELLO = bytes.fromhex("f248cdc9c90700")
HELLO2 = bytes.fromhex("f200110000")
STORED = bytes.fromhex("000500faff48656c6c6f00")
K = bytes.fromhex("37fa213d")
deflate_frames = {
    # client role (unmasked, from a server)
    "pmd_hello_client": (1, bytes.fromhex("c107") + HELLO + bytes.fromhex("c105") + HELLO2),
    "pmd_fragmented_client": (1, bytes.fromhex("4103f248cd") + bytes.fromhex("8004c9c90700")),
    "pmd_stored_client": (1, bytes.fromhex("c10b") + STORED),
    # server role (masked, from a client)
    "pmd_hello_server": (0, bytes.fromhex("c187") + K + mask(HELLO, K)),
}

# decoder: [flags, window_bits, max_message, max_frame, c0..c3, stream]
for i, f in enumerate(vec["frames"]):
    role = 0 if f["role"] == "server" else 1
    body = bytes.fromhex(f["hex"])
    write("decoder", f"vec{i:02}", [role, 0x77, 0xFF, 0xFF, 1, 3, 7, 47] + list(body))
    write("inspect", f"vec{i:02}", [role, 0x77, 0xFF, 0xFF] + list(body))
for name, (role, body) in deflate_frames.items():
    flags = role | 2
    write("decoder", name, [flags, 0x77, 0xFF, 0xFF, 2, 5, 11, 0] + list(body))
    write("decoder", name + "_small_limit", [flags | 4 | 8, 0x11, 0x03, 0x45, 40, 1, 1, 1] + list(body))
    write("inspect", name, [flags, 0x77, 0xFF, 0xFF] + list(body))
# A message split over many frames with a small message limit.
frag = bytes.fromhex("010348656c80026c6f")
write("decoder", "frag_limit", [1, 0x77, 0x04, 0xFF, 1, 1, 2, 3] + list(frag))

# roundtrip: [flags, window_bits, level, fragment, chunk, ops...]
write("roundtrip", "plain", [0, 0x77, 6, 0, 255] + [0, 5] + list(b"Hello") + [1, 3, 1, 2, 3] + [2, 2] + list(b"hi"))
write("roundtrip", "deflate", [1 | 2 | 128, 0x77, 6, 0, 7] + list(K) + [4, 5] + list(b"Hello") + [4, 5] + list(b"Hello"))
write("roundtrip", "deflate_frag", [1 | 4 | 8 | 16 | 32, 0x19, 9, 2, 3] + [4 | 16, 20] + list(b"abcdefghij0123456789") + [1, 4, 0, 1, 2, 3])
write("roundtrip", "pieces", [1, 0x00, 1, 0, 0] + [3 | 4 | 16 | 64, 2] + list(b"ab") + [3] + list(b"cde") + [1] + list(b"f"))

# handshake: [limit, bytes...]
for i, r in enumerate(vec["handshake_requests"]):
    write("handshake", f"req{i}", [0xFF] + list(r["raw"].encode()))
req_pmd = ("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, "
           "permessage-deflate; server_max_window_bits=10; client_no_context_takeover\r\n\r\n")
write("handshake", "req_pmd", [0xFF] + list(req_pmd.encode()))
resp = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept(KEY)}\r\nSec-WebSocket-Protocol: chat\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
        "server_max_window_bits=9; client_max_window_bits=8\r\n\r\n")
write("handshake", "resp_pmd", [0xFF] + list(resp.encode()))
for i, e in enumerate([
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate; server_max_window_bits=16, permessage-deflate; foo, permessage-deflate; server_no_context_takeover",
    'permessage-deflate; client_max_window_bits="10"; server_max_window_bits=8',
    "x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover; server_no_context_takeover",
]):
    write("handshake", f"ext{i}", [0xFF] + list(e.encode()))
write("handshake", "small_limit", [0x08] + list(req_pmd.encode()))

# inflate: [flags, limit_lo, limit_hi, chunk, [len, bytes]...]
write("inflate", "hello_twice", [15, 0x00, 0x01, 2, len(HELLO)] + list(HELLO) + [len(HELLO2)] + list(HELLO2))
write("inflate", "stored", [15 | 16, 0x10, 0x00, 0, len(STORED)] + list(STORED))
write("inflate", "hello_limit3", [9, 0x03, 0x00, 0, len(HELLO)] + list(HELLO))
import zlib
c = zlib.compressobj(9, zlib.DEFLATED, -15)
bomb = c.compress(b"\0" * 100000) + c.flush(zlib.Z_SYNC_FLUSH)
bomb = bomb[:-4]
write("inflate", "bomb", [15, 0x00, 0x10, 63, 255] + list(bomb))
