/*
 * mm_av_bytes.h - helpers of the audio/video probe unit tests
 * (test_probe_av_*.c): builders of ISOBMFF boxes, FLAC STREAMINFO and ID3v2
 * tags (on mm_bytes.h's byte buffer), and the probing helpers.
 *
 * Each test file is probed twice: from one buffer (mm_probe_buffer) and
 * through a windowed source that starts with only a head and a tail window
 * and answers every NEED with exactly the bytes asked for, as the glue
 * does; the two results must agree and the number of rounds must stay
 * small.  Large files (a 3 GB MP4 whose moov is behind the mdat) are
 * "virtual": only their head and tail exist, the rest reads as zeros, so a
 * probe that touched mdat payload would still pass the result checks but
 * fail the bytes-fetched check.
 */
#ifndef MM_AV_BYTES_H
#define MM_AV_BYTES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "mm_bytes.h"
#include "mm_test.h"

/* ---------- ISOBMFF boxes ---------- */

/* Opens an ISOBMFF box (size patched by box_end); returns its offset. */
static inline size_t
box_begin(bb *b, const char *type)
{
	size_t		at = b->len;

	bb_be(b, 0, 4);
	bb_put(b, type, 4);
	return at;
}

/* Closes the box opened at at. */
static inline void
box_end(bb *b, size_t at)
{
	bb_set_be32(b, at, (uint32_t) (b->len - at));
}

/* ---------- probing helpers ---------- */

/*
 * A virtual file: size bytes of which the first headlen come from head and
 * the last taillen from tail; everything else reads as zero.
 */
typedef struct vfile
{
	uint64_t	size;
	const uint8_t *head;
	size_t		headlen;
	const uint8_t *tail;
	size_t		taillen;
} vfile;

/* The byte of vf at off. */
static inline uint8_t
vf_byte(const vfile *vf, uint64_t off)
{
	if (off < vf->headlen)
		return vf->head[off];
	if (vf->taillen > 0 && off >= vf->size - vf->taillen)
		return vf->tail[off - (vf->size - vf->taillen)];
	return 0;
}

/* Copies vf's bytes [off, off+len) into a new buffer. */
static inline uint8_t *
vf_slice(const vfile *vf, uint64_t off, size_t len)
{
	uint8_t    *p = malloc(len ? len : 1);
	size_t		i;

	if (p == NULL)
		abort();
	if (off < vf->headlen && len <= vf->headlen - off)
		memcpy(p, vf->head + off, len);
	else
		for (i = 0; i < len; i++)
			p[i] = vf_byte(vf, off + i);
	return p;
}

/* How a windowed probe went. */
typedef struct wstats
{
	int			rounds;			/* NEED rounds answered */
	int			gave_up;		/* more than 12 rounds, or windows full */
	uint64_t	fetched;		/* bytes fetched for NEEDs */
	size_t		max_need;		/* largest single NEED */
} wstats;

/*
 * Probes vf through a source that starts with a head window of hw bytes
 * and a tail window of tw bytes, answering each NEED with exactly the bytes
 * asked for.
 */
static inline void
probe_vfile(const vfile *vf, size_t hw, size_t tw, mm_probe *out, wstats *ws)
{
	mm_source	src;
	uint8_t    *bufs[MM_SOURCE_MAX_WINDOWS];
	int			nbufs = 0;
	int			i;

	memset(ws, 0, sizeof(*ws));
	mm_source_init(&src, vf->size);
	if (hw > vf->size)
		hw = (size_t) vf->size;
	if (hw > 0)
	{
		bufs[nbufs] = vf_slice(vf, 0, hw);
		mm_source_add(&src, 0, bufs[nbufs++], hw);
	}
	if (vf->size > hw)
	{
		uint64_t	t = vf->size - hw < tw ? vf->size - hw : tw;

		if (t > 0)
		{
			bufs[nbufs] = vf_slice(vf, vf->size - t, (size_t) t);
			mm_source_add(&src, vf->size - t, bufs[nbufs++], (size_t) t);
		}
	}
	while (mm_probe_source(&src, out) == MM_PROBE_NEED_DATA)
	{
		if (ws->rounds >= 12 || nbufs >= MM_SOURCE_MAX_WINDOWS || src.need_len > (64u << 20))
		{
			ws->gave_up = 1;
			break;
		}
		ws->rounds++;
		ws->fetched += src.need_len;
		if (src.need_len > ws->max_need)
			ws->max_need = src.need_len;
		bufs[nbufs] = vf_slice(vf, src.need_off, src.need_len);
		if (mm_source_add(&src, src.need_off, bufs[nbufs++], src.need_len) != 0)
		{
			ws->gave_up = 1;
			break;
		}
	}
	for (i = 0; i < nbufs; i++)
		free(bufs[i]);
}

/* Are two probe results the same (type, sizes, duration, details)? */
static inline int
same_result(const mm_probe *a, const mm_probe *b)
{
	int			i;

	if (strcmp(a->mime, b->mime) != 0 || a->width != b->width || a->height != b->height ||
		a->duration_ms != b->duration_ms || a->ndetails != b->ndetails)
		return 0;
	for (i = 0; i < a->ndetails; i++)
		if (strcmp(a->details[i].key, b->details[i].key) != 0 ||
			a->details[i].kind != b->details[i].kind || a->details[i].i != b->details[i].i ||
			strcmp(a->details[i].s, b->details[i].s) != 0)
			return 0;
	return 1;
}

/*
 * Probes a whole in-memory file, and again through small windows (head and
 * tail of 64 bytes each), checking that both agree.
 */
static inline void
probe(const bb *b, mm_probe *out, const char *what)
{
	vfile		vf = {b->len, b->p, b->len, NULL, 0};
	mm_probe	w;
	wstats		ws;

	mm_probe_buffer(b->p, b->len, out);
	probe_vfile(&vf, 64, 64, &w, &ws);
	MM_CHECK(!ws.gave_up && same_result(out, &w),
			 "%s: windowed (64+64) probe agrees with buffer probe (%d rounds; %s vs %s)",
			 what, ws.rounds, w.mime, out->mime);
}

/* The INT/BOOL detail key's value, or -999 when absent. */
static inline int64_t
det_i(const mm_probe *p, const char *key)
{
	return detail_int(p, key, -999);
}

/*
 * Probes every truncation of b (every length below 512, then every 61st
 * byte) and checks that nothing crashes and that the result is either the
 * expected MIME or not a claim at all.
 */
static inline void
truncations(const bb *b, const char *mime, const char *what)
{
	size_t		n;
	int			ok = 1;
	mm_probe	p;

	for (n = 0; n < b->len; n += (n < 512 ? 1 : 61))
	{
		uint8_t    *copy = malloc(n ? n : 1);

		memcpy(copy, b->p, n);
		mm_probe_buffer(copy, n, &p);
		if (strcmp(p.mime, mime) != 0 && n > 64 && strcmp(p.mime, "application/octet-stream") != 0 &&
			strncmp(p.mime, "text/", 5) != 0)
		{
			ok = 0;
			printf("# %s: length %zu gave %s\n", what, n, p.mime);
		}
		if (p.width < -1 || p.height < -1 || p.duration_ms < -1)
			ok = 0;
		free(copy);
	}
	MM_CHECK(ok, "%s: every truncation probes safely", what);
}

/* Appends fLaC and a STREAMINFO block. */
static inline void
flac_streaminfo(bb *b, uint32_t rate, unsigned ch, unsigned bits, uint64_t total)
{
	bb_str(b, "fLaC");
	bb_u8(b, 0x80);				/* last block, STREAMINFO */
	bb_be(b, 34, 3);
	bb_be(b, 4096, 2);
	bb_be(b, 4096, 2);
	bb_be(b, 0, 3);
	bb_be(b, 0, 3);
	bb_u8(b, rate >> 12);
	bb_u8(b, (rate >> 4) & 0xff);
	bb_u8(b, ((rate & 0xf) << 4) | ((ch - 1) << 1) | ((bits - 1) >> 4));
	bb_u8(b, (((bits - 1) & 0xf) << 4) | (unsigned) ((total >> 32) & 0xf));
	bb_be(b, total & 0xffffffff, 4);
	bb_zeros(b, 16);
}

/* Appends an ID3v2.4 header declaring len body bytes, then the body. */
static inline void
id3v2(bb *b, uint32_t len)
{
	bb_str(b, "ID3");
	bb_u8(b, 4);
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_u8(b, (len >> 21) & 0x7f);
	bb_u8(b, (len >> 14) & 0x7f);
	bb_u8(b, (len >> 7) & 0x7f);
	bb_u8(b, len & 0x7f);
	bb_zeros(b, len);
}

#endif
