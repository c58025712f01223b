/*
 * probe/audio_misc.c - small audio formats: Sun/NeXT AU and Creative VOC.
 *
 * AU: a 24-byte big-endian header (".snd", or "dns." little-endian) gives
 * the data offset and size, encoding, sample rate and channels; the
 * duration is the data size over the bytes per second.  VOC: the 26-byte
 * header ("Creative Voice File\x1a", header size, version and its
 * checksum) is followed by typed blocks; the first sound block gives rate,
 * channels and bit depth, and the duration sums the sound blocks, walked by
 * their 4-byte headers (at most VOC_MAX_BLOCKS; the walk must reach the
 * terminator or the end of file or the duration stays unknown).
 */
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"

#define VOC_MAX_BLOCKS	16


/* Probes Sun/NeXT AU. */
static int
misc_probe_au(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			le = memcmp(head, "dns.", 4) == 0;
	uint32_t	(*rd) (const uint8_t *) = le ? mm_le32 : mm_be32;
	uint32_t	hdr,
				size,
				enc,
				rate,
				channels;
	unsigned	bits = 0;
	const char *codec;
	uint64_t	avail;

	if (headlen < 24)
		return MM_FMT_NO;
	hdr = rd(head + 4);
	size = rd(head + 8);
	enc = rd(head + 12);
	rate = rd(head + 16);
	channels = rd(head + 20);
	if (hdr < 24)
		return MM_FMT_NO;
	mm_probe_set_type(out, "audio/basic");
	switch (enc)
	{
		case 1:
			codec = "mulaw";
			bits = 8;
			break;
		case 2:
		case 3:
		case 4:
		case 5:
			codec = "pcm";
			bits = 8 * (enc - 1);
			break;
		case 6:
			codec = "float";
			bits = 32;
			break;
		case 7:
			codec = "float";
			bits = 64;
			break;
		case 23:
		case 24:
		case 25:
		case 26:
			codec = "g72x";
			break;
		case 27:
			codec = "alaw";
			bits = 8;
			break;
		default:
			codec = "other";
			break;
	}
	mm_probe_add_str(out, "codec", codec);
	mm_probe_add_int(out, "encoding", enc);
	if (rate > 0)
		mm_probe_add_int(out, "sample_rate", rate);
	if (channels > 0 && channels < 65536)
		mm_probe_add_int(out, "channels", channels);
	if (bits > 0)
		mm_probe_add_int(out, "bit_depth", bits);
	avail = src->size > hdr ? src->size - hdr : 0;
	if (size == 0xFFFFFFFFu || size > avail)
		size = avail > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t) avail;
	if (bits > 0 && channels > 0 && channels < 65536)
		out->duration_ms = mm_units_to_ms(size, (uint64_t) rate * channels * (bits / 8));
	return MM_FMT_YES;
}

/* Names a VOC codec id (new-format ids; type-1 block ids as 0x100 + id). */
static const char *
voc_codec_name(unsigned id)
{
	switch (id)
	{
		case 0x0000:
		case 0x0004:
			return "pcm";
		case 0x0006:
			return "alaw";
		case 0x0007:
			return "mulaw";
		case 0x0001:
		case 0x0002:
		case 0x0003:
		case 0x0200:
			return "adpcm";
	}
	return id >= 0x100 && id < 0x200 ? "adpcm" : "other";
}

/* Probes Creative VOC. */
static int
misc_probe_voc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint16_t	hdr,
				version;
	uint64_t	off;
	int64_t		ms = 0;
	int			n,
				complete = 0,
				have_fmt = 0;
	uint32_t	rate = 0;
	unsigned	channels = 0,
				bits = 0;
	uint32_t	ext_rate = 0;
	unsigned	ext_channels = 0;
	unsigned	vcodec = 0;		/* VOC codec id (type-1 codecs as 0x100 + id) */

	if (headlen < 26)
		return MM_FMT_NO;
	hdr = mm_le16(head + 20);
	version = mm_le16(head + 22);
	if (hdr < 26 || mm_le16(head + 24) != (uint16_t) (~version + 0x1234))
		return MM_FMT_NO;
	mm_probe_set_type(out, "audio/x-voc");

	for (off = hdr, n = 0; n < VOC_MAX_BLOCKS; n++)
	{
		uint8_t		b[16];
		uint32_t	len;
		size_t		want;
		mm_src_status st;
		uint64_t	bytes = 0,
					bps = 0;

		if (off >= src->size)
		{
			complete = 1;
			break;
		}
		st = mm_read(src, off, b, 1);
		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		if (b[0] == 0)
		{
			complete = 1;		/* terminator */
			break;
		}
		if (src->size - off < 4)
			break;
		want = src->size - off < sizeof(b) ? (size_t) (src->size - off) : sizeof(b);
		st = mm_read(src, off, b, want);
		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		len = b[1] | ((uint32_t) b[2] << 8) | ((uint32_t) b[3] << 16);
		if (len > src->size - off - 4)
			len = (uint32_t) (src->size - off - 4);
		if (b[0] == 1 && len >= 2 && want >= 6)
		{
			/* sound data: time constant, codec, samples */
			uint32_t	r = 1000000u / (256u - b[4]);
			unsigned	ch = 1;

			if (ext_rate > 0)
			{
				r = ext_rate;	/* a preceding extended block overrides */
				ch = ext_channels;
				ext_rate = 0;
			}
			if (!have_fmt)
			{
				have_fmt = 1;
				rate = r;
				channels = ch;
				bits = b[5] == 0 ? 8 : 0;
				vcodec = b[5] == 0 ? 0 : 0x100 + b[5];
			}
			if (b[5] == 0)
			{
				bytes = len - 2;
				bps = (uint64_t) r * ch;
			}
		}
		else if (b[0] == 2 && have_fmt && bits > 0)
		{
			bytes = len;		/* continuation of the previous sound block */
			bps = (uint64_t) rate * channels * (bits / 8);
		}
		else if (b[0] == 3 && len >= 3 && want >= 7)
		{
			/* silence: length - 1 samples at a time constant */
			uint64_t	r = 1000000u / (256u - b[6]);

			bytes = (uint64_t) mm_le16(b + 4) + 1;
			bps = r;
		}
		else if (b[0] == 8 && len >= 4 && want >= 8)
		{
			/* extended: 65536 - 256000000 / (rate * channels), packing, mode */
			uint32_t	tc = mm_le16(b + 4);
			unsigned	ch = b[7] + 1;

			if (tc < 65536 && ch <= 2)
			{
				ext_channels = ch;
				ext_rate = 256000000u / ((65536u - tc) * ch);
			}
		}
		else if (b[0] == 9 && len >= 12 && want >= 16)
		{
			/* new format: rate, bits, channels, codec */
			uint32_t	r = mm_le32(b + 4);
			unsigned	bi = b[8],
						ch = b[9];
			uint16_t	codec = mm_le16(b + 10);

			if (!have_fmt)
			{
				have_fmt = 1;
				rate = r;
				channels = ch;
				bits = bi;
				vcodec = codec;
			}
			if ((codec == 0 || codec == 4) && bi >= 8 && bi % 8 == 0 && ch > 0)
			{
				bytes = len - 12;
				bps = (uint64_t) r * ch * (bi / 8);
			}
		}
		if (bytes > 0)
		{
			int64_t		m = mm_units_to_ms(bytes, bps);

			if (m < 0 || ms > INT64_MAX - m)
			{
				ms = -1;
				break;
			}
			ms += m;
		}
		off += 4 + (uint64_t) len;
	}
	if (have_fmt)
	{
		mm_probe_add_str(out, "codec", voc_codec_name(vcodec));
		mm_probe_add_int(out, "sample_rate", rate);
		if (channels > 0)
			mm_probe_add_int(out, "channels", channels);
		if (bits > 0)
			mm_probe_add_int(out, "bit_depth", bits);
	}
	if (complete && have_fmt && ms >= 0)
		out->duration_ms = ms;
	return MM_FMT_YES;
}

/* Probes AU (".snd"/"dns.") and VOC ("Creative Voice File\x1a"). */
int
mm_probe_audio_misc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	if (headlen >= 4 && (memcmp(head, ".snd", 4) == 0 || memcmp(head, "dns.", 4) == 0))
		return misc_probe_au(src, head, headlen, out);
	if (headlen >= 20 && memcmp(head, "Creative Voice File\032", 20) == 0)
		return misc_probe_voc(src, head, headlen, out);
	return MM_FMT_NO;
}
