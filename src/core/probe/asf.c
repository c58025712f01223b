/*
 * probe/asf.c - Advanced Systems Format (ASF: WMV, WMA).
 *
 * The file starts with the Header Object's GUID; its sub-objects (GUID +
 * 64-bit size each) include the File Properties Object (play duration in
 * 100 ns units, preroll in ms, broadcast flag) and one Stream Properties
 * Object per stream (type GUID; for video the encoded width/height and the
 * BITMAPINFOHEADER compression code, for audio the WAVEFORMATEX tag,
 * channels and rate).  The Header Object is loaded into memory (at most
 * ASF_MAX_HEADER bytes) and at most ASF_MAX_OBJECTS sub-objects are read.
 */
#include <string.h>

#include "probe/formats.h"

#define ASF_MAX_HEADER	(1024 * 1024)
#define ASF_MAX_OBJECTS	256

static const uint8_t asf_header_guid[16] = {
	0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C
};
static const uint8_t asf_file_props_guid[16] = {
	0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11, 0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65
};
static const uint8_t asf_stream_props_guid[16] = {
	0x91, 0x07, 0xDC, 0xB7, 0xB7, 0xA9, 0xCF, 0x11, 0x8E, 0xE6, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65
};
static const uint8_t asf_audio_guid[16] = {
	0x40, 0x9E, 0x69, 0xF8, 0x4D, 0x5B, 0xCF, 0x11, 0xA8, 0xFD, 0x00, 0x80, 0x5F, 0x5C, 0x44, 0x2B
};
static const uint8_t asf_video_guid[16] = {
	0xC0, 0xEF, 0x19, 0xBC, 0x4D, 0x5B, 0xCF, 0x11, 0xA8, 0xFD, 0x00, 0x80, 0x5F, 0x5C, 0x44, 0x2B
};

/* What the header said. */
typedef struct asf_info
{
	int64_t		duration_ms;
	int			has_video;
	int			has_audio;
	int64_t		width;
	int64_t		height;
	char		vcodec[5];
	uint16_t	atag;
	int64_t		channels;
	int64_t		rate;
} asf_info;

/* Reads a Stream Properties Object's payload (after GUID and size). */
static void
asf_stream(const uint8_t *p, size_t len, asf_info *a)
{
	uint32_t	tsl;
	const uint8_t *t;

	if (len < 54)
		return;
	tsl = mm_le32(p + 40);
	t = p + 54;
	if (tsl > len - 54)
		tsl = (uint32_t) (len - 54);
	if (memcmp(p, asf_video_guid, 16) == 0 && !a->has_video)
	{
		a->has_video = 1;
		if (tsl >= 11)
		{
			uint32_t	w = mm_le32(t),
						h = mm_le32(t + 4);

			if (w > 0 && h > 0 && w <= INT32_MAX && h <= INT32_MAX)
			{
				a->width = w;
				a->height = h;
			}
		}
		if (tsl >= 11 + 20)
		{
			int			i;

			for (i = 0; i < 4; i++)
			{
				uint8_t		c = t[11 + 16 + i];

				a->vcodec[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
			}
			a->vcodec[4] = '\0';
		}
	}
	else if (memcmp(p, asf_audio_guid, 16) == 0 && !a->has_audio)
	{
		a->has_audio = 1;
		if (tsl >= 8)
		{
			a->atag = mm_le16(t);
			a->channels = mm_le16(t + 2);
			a->rate = mm_le32(t + 4);
		}
	}
}

/* Reads the File Properties Object's payload: duration less preroll. */
static void
asf_file_props(const uint8_t *p, size_t len, asf_info *a)
{
	uint64_t	play,
				preroll,
				ms;

	if (len < 76)
		return;
	if (mm_le32(p + 64) & 1)
		return;					/* broadcast: durations are not valid */
	play = mm_le64(p + 40);
	preroll = mm_le64(p + 56);
	ms = play / 10000;
	if (ms > (uint64_t) INT64_MAX)
		return;
	a->duration_ms = ms > preroll ? (int64_t) (ms - preroll) : 0;
}

/* Names a WAVEFORMATEX tag as found in ASF files. */
static const char *
asf_audio_name(uint16_t tag)
{
	switch (tag)
	{
		case 0x0001:
			return "pcm";
		case 0x0055:
			return "mp3";
		case 0x0160:
		case 0x0161:
			return "wmav2";
		case 0x0162:
			return "wmapro";
		case 0x0163:
			return "wmalossless";
		case 0x000A:
			return "wmavoice";
	}
	return "other";
}

/* Probes ASF by the Header Object GUID. */
int
mm_probe_asf(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	hsize;
	size_t		len,
				pos = 30;
	const uint8_t *p;
	mm_src_status st;
	asf_info	a;
	int			n;

	if (headlen < 30 || memcmp(head, asf_header_guid, 16) != 0)
		return MM_FMT_NO;
	memset(&a, 0, sizeof(a));
	a.duration_ms = -1;
	hsize = mm_le64(head + 16);
	if (hsize > src->size)
		hsize = src->size;
	len = hsize > ASF_MAX_HEADER ? ASF_MAX_HEADER : (size_t) hsize;
	p = len >= 30 ? mm_peek(src, 0, len, &st) : NULL;
	if (p == NULL && len >= 30 && st == MM_SRC_NEED)
		return MM_FMT_NEED;
	for (n = 0; p && n < ASF_MAX_OBJECTS && len - pos >= 24; n++)
	{
		uint64_t	osize = mm_le64(p + pos + 16);

		if (osize < 24)
			break;
		if (osize > len - pos)
			osize = len - pos;	/* truncated: use what is there */
		if (memcmp(p + pos, asf_file_props_guid, 16) == 0)
			asf_file_props(p + pos + 24, (size_t) osize - 24, &a);
		else if (memcmp(p + pos, asf_stream_props_guid, 16) == 0)
			asf_stream(p + pos + 24, (size_t) osize - 24, &a);
		pos += (size_t) osize;
	}

	mm_probe_set_type(out, "video/x-ms-asf");
	if (a.has_video && a.width > 0)
	{
		out->width = a.width;
		out->height = a.height;
	}
	out->duration_ms = a.duration_ms;
	if (a.has_video && a.vcodec[0])
		mm_probe_add_str(out, "codec", a.vcodec);
	else if (a.has_audio)
		mm_probe_add_str(out, "codec", asf_audio_name(a.atag));
	if (a.has_video && a.has_audio)
		mm_probe_add_str(out, "audio_codec", asf_audio_name(a.atag));
	mm_probe_add_bool(out, "has_video", a.has_video);
	mm_probe_add_bool(out, "has_audio", a.has_audio);
	if (a.has_audio && a.rate > 0)
		mm_probe_add_int(out, "sample_rate", a.rate);
	if (a.has_audio && a.channels > 0)
		mm_probe_add_int(out, "channels", a.channels);
	return MM_FMT_YES;
}
