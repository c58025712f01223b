/*
 * probe/pdf.c - PDF and PostScript.
 *
 * PDF: "%PDF-" at the start.  The page count is looked for where it is
 * cheap: the first and the last 64 KB, where most writers put either a
 * linearization dictionary (/Linearized ... /N pages) or the page tree root
 * (/Type /Pages ... /Count n; the root has the largest count).  Page trees
 * inside compressed object streams are not inflated, so then the count is
 * absent.  The trailer in the last 64 KB tells whether the file is
 * encrypted.
 *
 * PostScript: "%!PS" (with or without "-Adobe-", as libmagic; also after
 * the ^D some DOS drivers send first, and the DOS EPS binary header); the
 * DSC comments give EPS-ness and %%Pages.
 */
#include <string.h>

#include "probe/scan.h"

/* Bytes at each end of a PDF searched for the page count and trailer. */
#define PDF_SCAN_BYTES ((size_t) 64 * 1024)

/* Dictionary bytes after "/Type /Pages" searched for "/Count". */
#define PDF_DICT_WINDOW 512

/* Finds needle (nlen bytes) in p[0..len), returning its offset or -1. */
static long
pdf_find(const uint8_t *p, size_t len, const char *needle, size_t nlen)
{
	size_t		i;

	if (nlen == 0 || len < nlen)
		return -1;
	for (i = 0; i + nlen <= len; i++)
		if (p[i] == (uint8_t) needle[0] && memcmp(p + i, needle, nlen) == 0)
			return (long) i;
	return -1;
}

/* Whether c is PDF whitespace. */
static int
pdf_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0;
}

/*
 * Reads the non-negative integer after key (e.g. "/Count") at p, skipping
 * whitespace; -1 when none.  At most 9 digits are taken.
 */
static int64_t
pdf_int_after(const uint8_t *p, size_t len, size_t pos)
{
	int64_t		v = 0;
	int			nd = 0;

	while (pos < len && pdf_space(p[pos]))
		pos++;
	while (pos < len && p[pos] >= '0' && p[pos] <= '9' && nd < 9)
	{
		v = v * 10 + (p[pos++] - '0');
		nd++;
	}
	return nd > 0 ? v : -1;
}

/*
 * Whether the name at p[pos..] (after "/Type") is "/Pages", allowing
 * whitespace between, and not "/PagesXYZ".
 */
static int
pdf_is_pages(const uint8_t *p, size_t len, size_t pos)
{
	while (pos < len && pdf_space(p[pos]))
		pos++;
	if (len - pos < 6 || memcmp(p + pos, "/Pages", 6) != 0)
		return 0;
	pos += 6;
	return pos >= len || !((p[pos] >= 'A' && p[pos] <= 'Z') || (p[pos] >= 'a' && p[pos] <= 'z'));
}

/*
 * Searches one region for the page count: the /Linearized dictionary's /N,
 * or the largest /Count near a "/Type /Pages".  Returns -1 when not found.
 */
static int64_t
pdf_pages_in(const uint8_t *p, size_t len)
{
	int64_t		best = -1;
	size_t		pos = 0;
	long		k;
	int			iter;

	if ((k = pdf_find(p, len < 1024 ? len : 1024, "/Linearized", 11)) >= 0)
	{
		long		n = pdf_find(p + k, len - k < PDF_DICT_WINDOW ? len - k : PDF_DICT_WINDOW, "/N ", 3);

		if (n >= 0 && (best = pdf_int_after(p, len, k + n + 2)) >= 0)
			return best;
	}
	for (iter = 0; iter < 100000 && pos < len; iter++)
	{
		long		t = pdf_find(p + pos, len - pos, "/Type", 5);
		size_t		from;
		size_t		to;
		long		c;

		if (t < 0)
			break;
		pos += t + 5;
		if (!pdf_is_pages(p, len, pos))
			continue;
		/* /Count may come before or after /Type in the same dictionary */
		from = pos > PDF_DICT_WINDOW ? pos - PDF_DICT_WINDOW : 0;
		to = len - pos > PDF_DICT_WINDOW ? pos + PDF_DICT_WINDOW : len;
		for (k = 0; k < 64 && (c = pdf_find(p + from, to - from, "/Count", 6)) >= 0; k++)
		{
			int64_t		v = pdf_int_after(p, len, from + c + 6);

			if (v > best)
				best = v;
			from += c + 6;
		}
	}
	return best;
}

/* Gets the region [off, off+len) of src as one contiguous block. */
static const uint8_t *
pdf_region(mm_source *src, uint64_t off, size_t len, int *need)
{
	mm_src_status st;
	const uint8_t *p = mm_peek(src, off, len, &st);

	if (p == NULL && st == MM_SRC_NEED)
		*need = 1;
	return p;
}

/* Probes a PDF: version, page count where cheap, encryption. */
static int
probe_pdf_doc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	char		version[4];
	size_t		n = src->size < PDF_SCAN_BYTES ? (size_t) src->size : PDF_SCAN_BYTES;
	const uint8_t *first;
	const uint8_t *last = NULL;
	int			need = 0;
	int64_t		pages;
	int64_t		p2 = -1;

	mm_probe_set_type(out, "application/pdf");
	if (headlen >= 8 && head[5] >= '1' && head[5] <= '9' && head[6] == '.' &&
		head[7] >= '0' && head[7] <= '9')
	{
		version[0] = (char) head[5];
		version[1] = '.';
		version[2] = (char) head[7];
		version[3] = '\0';
		mm_probe_add_str(out, "version", version);
	}
	first = pdf_region(src, 0, n, &need);
	if (src->size > n)
		last = pdf_region(src, src->size - n, n, &need);
	if (need)
		return MM_FMT_NEED;
	if (first == NULL)
		return MM_FMT_YES;
	pages = pdf_pages_in(first, n);
	if (last != NULL)
		p2 = pdf_pages_in(last, n);
	if (p2 > pages)
		pages = p2;
	if (pages >= 0)
		mm_probe_add_int(out, "pages", pages);
	/* the trailer (or xref stream dictionary) names an /Encrypt dictionary */
	mm_probe_add_bool(out, "encrypted", pdf_find(first, n, "/Encrypt", 8) >= 0 ||
					  (last != NULL && pdf_find(last, n, "/Encrypt", 8) >= 0));
	return MM_FMT_YES;
}

/* Probes PostScript: the DSC header lines in the first MM_HEAD_LEN bytes. */
static int
probe_ps(const uint8_t *head, size_t headlen, mm_probe *out)
{
	size_t		eol;
	long		k;

	mm_probe_set_type(out, "application/postscript");
	for (eol = 0; eol < headlen && head[eol] != '\n' && head[eol] != '\r'; eol++)
		;
	if (pdf_find(head, eol, "EPSF-", 5) >= 0)
		mm_probe_add_bool(out, "eps", 1);
	if ((k = pdf_find(head, headlen, "%%Pages:", 8)) >= 0)
	{
		int64_t		v = pdf_int_after(head, headlen, k + 8);

		if (v >= 0)
			mm_probe_add_int(out, "pages", v);
	}
	return MM_FMT_YES;
}

/* Probes PDF ("%PDF-") and PostScript ("%!PS", "^D%!PS", DOS EPS). */
int
mm_probe_pdf(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	static const uint8_t eps_dos[4] = {0xC5, 0xD0, 0xD3, 0xC6};

	if (headlen >= 5 && memcmp(head, "%PDF-", 5) == 0)
		return probe_pdf_doc(src, head, headlen, out);
	if (headlen >= 4 && memcmp(head, "%!PS", 4) == 0)
		return probe_ps(head, headlen, out);
	if (headlen >= 5 && head[0] == 0x04 && memcmp(head + 1, "%!PS", 4) == 0)
		return probe_ps(head + 1, headlen - 1, out);
	if (headlen >= 4 && memcmp(head, eps_dos, 4) == 0)
	{
		mm_probe_set_type(out, "application/postscript");
		mm_probe_add_bool(out, "eps", 1);
		return MM_FMT_YES;
	}
	return MM_FMT_NO;
}
