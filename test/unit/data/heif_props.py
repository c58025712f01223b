#!/usr/bin/env python3
"""heif_props.py IN OUT PROP... - adds transformative properties to the primary
item of a HEIF file (heif-enc 1.15 cannot write them): "irot=N" (N * 90 degrees
anti-clockwise) and "imir=A" (A 0: mirror about the vertical axis, left and
right swap; 1: about the horizontal axis), applied in the order given.  Boxes
around them grow and iloc offsets into a following mdat move with them.
Used by make.sh to build the rotated and mirrored test images."""
import struct
import sys


def boxes(d, start, end):
    """Yields (type, box start, payload start, box end) of the boxes in d[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, typ = struct.unpack('>I4s', d[pos:pos + 8])
        hdr = 8
        if size == 1:
            size = struct.unpack('>Q', d[pos + 8:pos + 16])[0]
            hdr = 16
        elif size == 0:
            size = end - pos
        yield typ.decode('latin-1'), pos, pos + hdr, pos + size
        pos += size


def find(d, start, end, typ):
    for t, s, p, e in boxes(d, start, end):
        if t == typ:
            return s, p, e
    raise SystemExit('no %s box' % typ)


def box(typ, payload):
    return struct.pack('>I4s', 8 + len(payload), typ.encode()) + payload


def main():
    src, dst, props = sys.argv[1], sys.argv[2], sys.argv[3:]
    d = bytearray(open(src, 'rb').read())
    ms, mp, me = find(d, 0, len(d), 'meta')
    mp += 4                                         # FullBox version and flags
    ps, pp, pe = find(d, mp, me, 'pitm')
    primary = struct.unpack('>H', d[pp + 4:pp + 6])[0]
    rs, rp, re_ = find(d, mp, me, 'iprp')
    cs, cp, ce = find(d, rp, re_, 'ipco')
    nprops = sum(1 for _ in boxes(d, cp, ce))
    new = b''
    for p in props:
        name, val = p.split('=')
        new += box(name, bytes([int(val) & (3 if name == 'irot' else 1)]))
    # ipma: the primary item gets essential associations to the new properties
    as_, ap, ae = find(d, rp, re_, 'ipma')
    ver, flags = d[ap], int.from_bytes(d[ap + 1:ap + 4], 'big')
    out = bytearray(d[ap:ap + 8])
    count = struct.unpack('>I', d[ap + 4:ap + 8])[0]
    pos = ap + 8
    for _ in range(count):
        idlen = 2 if ver < 1 else 4
        item = int.from_bytes(d[pos:pos + idlen], 'big')
        n = d[pos + idlen]
        alen = 2 if flags & 1 else 1
        assoc = d[pos + idlen + 1:pos + idlen + 1 + n * alen]
        if item == primary:
            for i in range(len(props)):
                idx = nprops + 1 + i
                assoc += struct.pack('>H', 0x8000 | idx) if alen == 2 else bytes([0x80 | idx])
            n += len(props)
        out += d[pos:pos + idlen] + bytes([n]) + assoc
        pos += idlen + 1 + (len(assoc) if item != primary else (n - len(props)) * alen)
    ipco = d[cs:ce]
    ipco = struct.pack('>I', len(ipco) + len(new)) + ipco[4:] + new
    ipma = box('ipma', bytes(out))
    iprp_children = bytearray()
    for t, s, p, e in boxes(d, rp, re_):
        iprp_children += ipco if t == 'ipco' else ipma if t == 'ipma' else d[s:e]
    iprp = box('iprp', bytes(iprp_children))
    delta = len(iprp) - (re_ - rs)
    # iloc: shift absolute offsets that point past the meta box
    ls, lp, le = find(d, mp, me, 'iloc')
    iloc = bytearray(d[ls:le])
    v = iloc[8]
    off_size, len_size = iloc[12] >> 4, iloc[12] & 15
    base_size, idx_size = iloc[13] >> 4, (iloc[13] & 15) if v in (1, 2) else 0
    q = 14
    items = struct.unpack('>H', iloc[q:q + 2])[0] if v < 2 else struct.unpack('>I', iloc[q:q + 4])[0]
    q += 2 if v < 2 else 4

    def rd(n):
        return int.from_bytes(iloc[q:q + n], 'big') if n else 0
    for _ in range(items):
        q += 2 if v < 2 else 4
        method = 0
        if v in (1, 2):
            method = struct.unpack('>H', iloc[q:q + 2])[0] & 15
            q += 2
        q += 2                                       # data_reference_index
        base = rd(base_size)
        if method == 0 and base_size and base > ms:
            iloc[q:q + base_size] = (base + delta).to_bytes(base_size, 'big')
        q += base_size
        extents = struct.unpack('>H', iloc[q:q + 2])[0]
        q += 2
        for _ in range(extents):
            q += idx_size
            o = rd(off_size)
            if method == 0 and off_size and base == 0 and o > ms:
                iloc[q:q + off_size] = (o + delta).to_bytes(off_size, 'big')
            q += off_size + len_size
    children = bytearray()
    for t, s, p, e in boxes(d, mp, me):
        children += iprp if t == 'iprp' else iloc if t == 'iloc' else d[s:e]
    meta = box('meta', bytes(d[ms + 8:mp]) + bytes(children))
    open(dst, 'wb').write(bytes(d[:ms]) + meta + bytes(d[me:]))


if __name__ == '__main__':
    main()
