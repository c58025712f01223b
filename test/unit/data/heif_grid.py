#!/usr/bin/env python3
"""heif_grid.py IN.png OUT.heic [tile=512] [q=50] [thumb=320] [irot=N] [imir=A] [bits=10]
Writes IN as a HEIC the way an iPhone does (heif-enc 1.15 cannot): a hidden hvc1 item per
tile x tile square (the right and bottom tiles padded), a grid item over them whose canvas is
IN's size, carrying the irot/imir given (in that order), and, with thumb=N, a thumbnail item
(the image at most N px on its longer side, with the same transformations) referenced by
'thmb'.  Each piece is encoded by heif-enc (ImageMagick crops and pads); bits=10 gives 10-bit
tiles from a 16-bit copy of IN.  Used by make_heif_jxl.sh and to build 12 MP test photos."""
import os
import struct
import subprocess
import sys
import tempfile


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heif_props import box, boxes  # noqa: E402  (the box reader and writer)


def child(d, start, end, typ):
    """(payload start, end) of the first typ box in d[start:end]."""
    for t, _, p, e in boxes(d, start, end):
        if t == typ:
            return p, e
    raise SystemExit('no %s box' % typ)


def fullbox(typ, version, flags, payload):
    return box(typ, struct.pack('>I', (version << 24) | flags) + payload)


def coded(path):
    """The hvcC property (whole box) and the coded data of a heif-enc file's primary item."""
    d = open(path, 'rb').read()
    mp, me = child(d, 0, len(d), 'meta')
    mp += 4
    rp, re_ = child(d, mp, me, 'iprp')
    cp, ce = child(d, rp, re_, 'ipco')
    hvcc = [d[s:e] for t, s, p, e in boxes(d, cp, ce) if t == 'hvcC'][0]
    lp, le = child(d, mp, me, 'iloc')
    ver = d[lp]
    off_size, len_size = d[lp + 4] >> 4, d[lp + 4] & 15
    base_size = d[lp + 5] >> 4
    q = lp + 6
    q += 2  # item_count: heif-enc writes the image item first
    q += 2 + (2 if ver >= 1 else 0) + 2
    base = int.from_bytes(d[q:q + base_size], 'big')
    q += base_size
    assert struct.unpack('>H', d[q:q + 2])[0] == 1, 'one extent expected'
    q += 2
    off = int.from_bytes(d[q:q + off_size], 'big')
    ln = int.from_bytes(d[q + off_size:q + off_size + len_size], 'big')
    return hvcc, d[base + off:base + off + ln]


def encode(tmp, png, name, q, bits):
    out = os.path.join(tmp, name + '.heic')
    cmd = ['heif-enc', '-q', str(q), '-o', out, png]
    if bits > 8:
        cmd[1:1] = ['-b', str(bits)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return coded(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    opt = dict(a.split('=') for a in sys.argv[3:])
    tile, q, bits = int(opt.get('tile', 512)), int(opt.get('q', 50)), int(opt.get('bits', 8))
    xforms = [(k, int(v)) for k, v in (a.split('=') for a in sys.argv[3:]) if k in ('irot', 'imir')]
    w, h = map(int, subprocess.run(['identify', '-format', '%w %h', src], check=True,
                                   capture_output=True, text=True).stdout.split())
    cols, rows = (w + tile - 1) // tile, (h + tile - 1) // tile
    tmp = tempfile.mkdtemp()
    depth = ['-depth', '16', 'PNG48:'] if bits > 8 else ['-depth', '8', 'PNG24:']
    pieces = []
    for r in range(rows):
        for c in range(cols):
            png = os.path.join(tmp, 't%d_%d.png' % (r, c))
            subprocess.run(['convert', src, '-crop', '%dx%d+%d+%d' % (tile, tile, c * tile, r * tile),
                            '+repage', '-background', 'black', '-extent', '%dx%d' % (tile, tile),
                            depth[0], depth[1], depth[2] + png], check=True)
            pieces.append(encode(tmp, png, 't%d_%d' % (r, c), q, bits))
    thumb = None
    if 'thumb' in opt:
        png = os.path.join(tmp, 'thumb.png')
        n = int(opt['thumb'])
        subprocess.run(['convert', src, '-resize', '%dx%d' % (n, n), depth[0], depth[1], depth[2] + png],
                       check=True)
        tw, th = map(int, subprocess.run(['identify', '-format', '%w %h', png], check=True,
                                         capture_output=True, text=True).stdout.split())
        thumb = (tw, th) + encode(tmp, png, 'thumb', q, bits)

    # properties: 1 tile ispe, 2 grid ispe, then hvcC boxes, thumb ispe, transformations
    props = [fullbox('ispe', 0, 0, struct.pack('>II', tile, tile)),
             fullbox('ispe', 0, 0, struct.pack('>II', w, h))]
    hvcc_index = {}
    for hv, _ in pieces + ([thumb[2:]] if thumb else []):
        if hv not in hvcc_index:
            props.append(hv)
            hvcc_index[hv] = len(props)
    if thumb:
        props.append(fullbox('ispe', 0, 0, struct.pack('>II', thumb[0], thumb[1])))
        thumb_ispe = len(props)
    xf_index = []
    for k, v in xforms:
        props.append(box(k, bytes([v & (3 if k == 'irot' else 1)])))
        xf_index.append(len(props))

    grid_id = 1
    tile_ids = list(range(2, 2 + len(pieces)))
    thumb_id = tile_ids[-1] + 1
    ids = [grid_id] + tile_ids + ([thumb_id] if thumb else [])
    wide = w > 65535 or h > 65535
    grid_desc = struct.pack('>BBBB', 0, 1 if wide else 0, rows - 1, cols - 1) + \
        (struct.pack('>II', w, h) if wide else struct.pack('>HH', w, h))

    def infe(item, typ, hidden):
        return fullbox('infe', 2, 1 if hidden else 0, struct.pack('>HH4s', item, 0, typ.encode()) + b'\0')

    iinf = fullbox('iinf', 0, 0, struct.pack('>H', len(ids)) + infe(grid_id, 'grid', False) +
                   b''.join(infe(i, 'hvc1', True) for i in tile_ids) +
                   (infe(thumb_id, 'hvc1', False) if thumb else b''))
    refs = box('dimg', struct.pack('>HH', grid_id, len(tile_ids)) + b''.join(struct.pack('>H', i) for i in tile_ids))
    if thumb:
        refs += box('thmb', struct.pack('>HH', thumb_id, 1) + struct.pack('>H', grid_id))
    iref = fullbox('iref', 0, 0, refs)

    def assoc(idx):
        return struct.pack('>H', 0x8000 | idx)

    entries = [(grid_id, [2] + xf_index)] + [(i, [1, hvcc_index[pieces[k][0]]]) for k, i in enumerate(tile_ids)]
    if thumb:
        entries.append((thumb_id, [thumb_ispe, hvcc_index[thumb[2]]] + xf_index))
    ipma = fullbox('ipma', 0, 1, struct.pack('>I', len(entries)) + b''.join(
        struct.pack('>HB', i, len(a)) + b''.join(assoc(x) for x in a) for i, a in entries))
    iprp = box('iprp', box('ipco', b''.join(props)) + ipma)
    datas = [d for _, d in pieces] + ([thumb[3]] if thumb else [])

    def iloc(base):
        out = struct.pack('>BBH', 0x44, 0x00, len(ids))
        out += struct.pack('>HHHHII', grid_id, 1, 0, 1, 0, len(grid_desc))
        off = base
        for i, d in zip(ids[1:], datas):
            out += struct.pack('>HHHHII', i, 0, 0, 1, off, len(d))
            off += len(d)
        return fullbox('iloc', 1, 0, out)

    def meta(base):
        return fullbox('meta', 0, 0, fullbox('hdlr', 0, 0, struct.pack('>I4s12s', 0, b'pict', b'') + b'\0') +
                       fullbox('pitm', 0, 0, struct.pack('>H', grid_id)) + iinf + iref + iprp +
                       box('idat', grid_desc) + iloc(base))

    ftyp = box('ftyp', b'heic' + struct.pack('>I', 0) + b'mif1heicmiaf')
    m = meta(0)
    base = len(ftyp) + len(m) + 8
    m = meta(base)
    with open(dst, 'wb') as f:
        f.write(ftyp + m + box('mdat', b''.join(datas)))


main()
