/*
 * probe/formats.h - the per-format probes that mm_probe_source() dispatches to.
 *
 * Each probe looks at one family of formats.  It returns MM_FMT_NO when the
 * bytes are not its format (leaving *out untouched), MM_FMT_YES after filling
 * in *out (mime, media_type, sizes, details), or MM_FMT_NEED when it must see
 * bytes outside the source's windows (src->need is then set).  head holds
 * the first headlen bytes of the file (all of it when smaller than
 * MM_HEAD_LEN); everything past head is read with mm_read()/mm_peek().
 *
 * A probe that recognises the magic bytes but finds the rest broken still
 * returns MM_FMT_YES with the MIME type and unknown (-1) sizes.
 */
#ifndef MM_PROBE_FORMATS_H
#define MM_PROBE_FORMATS_H

#include "probe/probe.h"

#define MM_HEAD_LEN 4096

enum
{
	MM_FMT_NO = 0,
	MM_FMT_YES = 1,
	MM_FMT_NEED = 2
};

typedef int (*mm_format_probe) (mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);

/* Images: one file per format, probe_<name>.c.  image_misc covers SGI, Sun
 * raster, XCF, OpenEXR and ICNS. */
int			mm_probe_png(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_jpeg(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_gif(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_webp(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_bmp(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_ico(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_tiff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_psd(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_qoi(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_pnm(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_jxl(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_tga(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_image_misc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);

/* Documents: pdf (PDF, PostScript), zip (ZIP and the office/epub formats
 * inside), archive (gzip, xz, 7z, tar, ar/deb, Java class), font (TTF, OTF,
 * WOFF, WOFF2), text (SVG, HTML, XML, JSON, XBM, XPM, plain text; tried last). */
int			mm_probe_pdf(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_zip(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_archive(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_font(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_text(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);

/* Audio and video: isobmff (MP4, MOV, 3GP, M4A, AVIF, HEIC/HEIF), riff (WAV,
 * AVI), iff (AIFF, AIFC, 8SVX), flac, ogg (Vorbis, Opus, Theora, OGM),
 * matroska (WebM, MKV), flv, musepack (SV7, SV8), mp3 (MP3, ADTS AAC),
 * audio_misc (AU, VOC), asf, realmedia, mpeg (MPEG program and transport
 * streams, raw MPEG-1/2 video). */
int			mm_probe_isobmff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_riff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_iff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_flac(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_musepack(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_ogg(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_matroska(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_flv(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_mp3(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_audio_misc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_asf(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_realmedia(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);
int			mm_probe_mpeg(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out);

/* Sets mime and media_type and clears the sizes: the start of every YES. */
void		mm_probe_set_type(mm_probe *out, const char *mime);

#endif
