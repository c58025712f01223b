/*
 * test_probe_docs.c - unit tests of the document probes (PDF, PostScript,
 * ZIP and the office/ebook formats in it, archives, fonts) and of the text
 * probe (SVG with units, HTML, XHTML, XML, JSON, XBM, XPM, plain text in
 * UTF-8 and UTF-16), on hand-made files, well-formed and hostile.
 */
#include <stdio.h>

#include "mm_bytes.h"
#include "mm_test.h"

#define NONE INT64_MIN

/* Probes a C string as a file. */
static void
probe_str(const char *s, mm_probe *out)
{
	mm_probe_buffer((const uint8_t *) s, strlen(s), out);
}

/* ---- PDF, PostScript ---- */

/* PDF page counts and encryption, PostScript. */
static void
test_pdf(void)
{
	mm_probe	p;
	bb			b = {0};

	probe_str("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
			  "2 0 obj\n<< /Kids [3 0 R] /Type /Pages /Count 5 >>\nendobj\n"
			  "4 0 obj\n<< /Type /Pages /Count 2 /Parent 2 0 R >>\nendobj\n"
			  "trailer\n<< /Root 1 0 R >>\n%%EOF\n", &p);
	MM_CHECK(strcmp(p.mime, "application/pdf") == 0 && strcmp(p.media_type, "document") == 0,
			 "pdf: application/pdf, document");
	MM_CHECK(detail_int(&p, "pages", NONE) == 5 && strcmp(detail_str(&p, "version"), "1.7") == 0 &&
			 detail_int(&p, "encrypted", NONE) == 0, "pdf: 5 pages (the root count), version 1.7");

	probe_str("%PDF-1.4\n1 0 obj << /Linearized 1 /L 1234 /N 12 /T 99 >> endobj\n", &p);
	MM_CHECK(detail_int(&p, "pages", NONE) == 12, "pdf: linearized /N 12");

	probe_str("%PDF-1.5\n/Type/PagesX /Count 7\ntrailer << /Encrypt 9 0 R >>", &p);
	MM_CHECK(detail_int(&p, "pages", NONE) == NONE && detail_int(&p, "encrypted", NONE) == 1,
			 "pdf: /PagesX is not a page tree; /Encrypt -> encrypted");

	probe_str("%PDF-", &p);
	MM_CHECK(strcmp(p.mime, "application/pdf") == 0, "pdf: magic only");

	/* page tree in the tail of a 200 KB file */
	bb_str(&b, "%PDF-1.6\n");
	bb_fill(&b, ' ', 200000);
	bb_str(&b, "9 0 obj <</Type/Pages/Count 42/Kids[]>> endobj\ntrailer<</Root 1 0 R>>\n");
	probe_bytes(&b, &p);
	MM_CHECK(detail_int(&p, "pages", NONE) == 42, "pdf: page tree in the last 64 KB");
	MM_CHECK(probe_windowed(b.p, b.len, 65536, &p) == 1 && detail_int(&p, "pages", NONE) == 42,
			 "pdf: windowed: one NEED round for the tail");
	bb_reset(&b);

	probe_str("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%Pages: 3\n", &p);
	MM_CHECK(strcmp(p.mime, "application/postscript") == 0 && detail_int(&p, "eps", NONE) == 1 &&
			 detail_int(&p, "pages", NONE) == 3, "ps: EPS, 3 pages");
}

/* ---- ZIP ---- */

/* A stored entry to put in a test ZIP. */
typedef struct zentry
{
	const char *name;
	const char *data;
} zentry;

/*
 * Builds a ZIP of stored entries; with cd == 0 the central directory and
 * end record are left out (a truncated upload).
 */
static void
zip_build(bb *b, const zentry *e, int n, int cd)
{
	uint32_t	offs[16];
	size_t		cd_start;
	int			i;

	for (i = 0; i < n; i++)
	{
		offs[i] = (uint32_t) b->len;
		bb_str(b, "PK\003\004");
		bb_le16(b, 10);
		bb_le16(b, 0);
		bb_le16(b, 0);			/* stored */
		bb_le32(b, 0);
		bb_le32(b, 0);			/* crc */
		bb_le32(b, (uint32_t) strlen(e[i].data));
		bb_le32(b, (uint32_t) strlen(e[i].data));
		bb_le16(b, (unsigned) strlen(e[i].name));
		bb_le16(b, 0);
		bb_str(b, e[i].name);
		bb_str(b, e[i].data);
	}
	if (!cd)
		return;
	cd_start = b->len;
	for (i = 0; i < n; i++)
	{
		bb_str(b, "PK\001\002");
		bb_le16(b, 20);
		bb_le16(b, 10);
		bb_le16(b, 0);
		bb_le16(b, 0);
		bb_le32(b, 0);
		bb_le32(b, 0);
		bb_le32(b, (uint32_t) strlen(e[i].data));
		bb_le32(b, (uint32_t) strlen(e[i].data));
		bb_le16(b, (unsigned) strlen(e[i].name));
		bb_le16(b, 0);
		bb_le16(b, 0);
		bb_le16(b, 0);
		bb_le16(b, 0);
		bb_le32(b, 0);
		bb_le32(b, offs[i]);
		bb_str(b, e[i].name);
	}
	bb_str(b, "PK\005\006");
	bb_le16(b, 0);
	bb_le16(b, 0);
	bb_le16(b, n);
	bb_le16(b, n);
	bb_le32(b, (uint32_t) (b->len - 12 - cd_start));	/* directory size */
	bb_le32(b, (uint32_t) cd_start);
	bb_le16(b, 0);
}

/* Builds a ZIP and returns the probed MIME type. */
static const char *
zip_mime(const zentry *e, int n, int cd, mm_probe *p)
{
	bb			b = {0};

	zip_build(&b, e, n, cd);
	probe_bytes(&b, p);
	bb_reset(&b);
	return p->mime;
}

/* ZIP and the formats inside it, hostile directories, NEED. */
static void
test_zip(void)
{
	mm_probe	p;
	bb			b = {0};
	int			i;
	static const zentry plain[] = {{"a.txt", "hello"}, {"b/c.go", "package b"}};
	static const zentry odt[] = {{"mimetype", "application/vnd.oasis.opendocument.text"},
	{"content.xml", "<x/>"}};
	static const zentry ods[] = {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}};
	static const zentry epub[] = {{"mimetype", "application/epub+zip"},
	{"META-INF/container.xml", "<x/>"}};
	static const zentry bogus[] = {{"mimetype", "text/x-evil-but-static?"}};
	static const zentry docx[] = {{"_rels/.rels", "r"}, {"word/document.xml", "d"},
	{"[Content_Types].xml", "c"}};
	static const zentry xlsx[] = {{"[Content_Types].xml", "c"}, {"xl/workbook.xml", "w"}};
	static const zentry pptx[] = {{"[Content_Types].xml", "c"}, {"ppt/presentation.xml", "p"}};
	static const zentry jar[] = {{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
	{"a/B.class", "\xca\xfe\xba\xbe"}};
	static const zentry apk[] = {{"AndroidManifest.xml", "x"}, {"classes.dex", "dex"},
	{"META-INF/MANIFEST.MF", "m"}};
	static const zentry late_mimetype[] = {{"content.xml", "<x/>"},
	{"mimetype", "application/vnd.oasis.opendocument.presentation"}};

	MM_CHECK(strcmp(zip_mime(plain, 2, 1, &p), "application/zip") == 0 &&
			 detail_int(&p, "entries", NONE) == 2, "zip: plain, 2 entries");
	MM_CHECK(strcmp(zip_mime(odt, 2, 1, &p), "application/vnd.oasis.opendocument.text") == 0, "zip: odt");
	MM_CHECK(strcmp(zip_mime(ods, 1, 1, &p), "application/vnd.oasis.opendocument.spreadsheet") == 0,
			 "zip: ods");
	MM_CHECK(strcmp(zip_mime(epub, 2, 1, &p), "application/epub+zip") == 0, "zip: epub");
	MM_CHECK(strcmp(zip_mime(bogus, 1, 1, &p), "application/zip") == 0,
			 "zip: unknown mimetype content is not echoed");
	MM_CHECK(strcmp(zip_mime(docx, 3, 1, &p),
					"application/vnd.openxmlformats-officedocument.wordprocessingml.document") == 0,
			 "zip: docx from the central directory");
	MM_CHECK(strcmp(zip_mime(xlsx, 2, 1, &p),
					"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") == 0, "zip: xlsx");
	MM_CHECK(strcmp(zip_mime(pptx, 2, 1, &p),
					"application/vnd.openxmlformats-officedocument.presentationml.presentation") == 0,
			 "zip: pptx");
	MM_CHECK(strcmp(zip_mime(jar, 2, 1, &p), "application/java-archive") == 0, "zip: jar");
	MM_CHECK(strcmp(zip_mime(apk, 3, 1, &p), "application/vnd.android.package-archive") == 0, "zip: apk");
	MM_CHECK(strcmp(zip_mime(late_mimetype, 2, 1, &p), "application/vnd.oasis.opendocument.presentation") == 0,
			 "zip: mimetype entry found through the directory");
	MM_CHECK(strcmp(zip_mime(docx, 3, 0, &p),
					"application/vnd.openxmlformats-officedocument.wordprocessingml.document") == 0,
			 "zip: truncated docx (no directory) from local headers");

	/* hostile: directory offset and size out of range, entry count huge */
	zip_build(&b, docx, 3, 1);
	bb_set_le32(&b, b.len - 22 + 16, 0xFFFFFFF0u);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") == 0,
			 "zip: bad directory offset falls back to local headers");
	bb_set_le32(&b, b.len - 22 + 16, 3);	/* inside the file, not a directory */
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") == 0,
			 "zip: directory offset to garbage falls back to local headers");
	bb_set_le32(&b, b.len - 22 + 12, 0xFFFFFFFFu);
	bb_set_le32(&b, b.len - 22 + 16, 0xFFFFFFFFu);
	probe_bytes(&b, &p);
	MM_CHECK(strncmp(p.mime, "application/", 12) == 0, "zip: ZIP64 markers without a locator");
	bb_reset(&b);

	/* a directory far away from the head: NEED, then the answer */
	{
		zentry		big[2] = {{"pad.bin", NULL}, {"word/document.xml", "d"}};
		char	   *pad = malloc(300001);

		for (i = 0; i < 300000; i++)
			pad[i] = 'p';
		pad[300000] = '\0';
		big[0].data = pad;
		zip_build(&b, big, 2, 1);
		MM_CHECK(probe_windowed(b.p, b.len, 65536, &p) == 1 &&
				 strcmp(p.mime, "application/zip") == 0, "zip: directory in the tail, one NEED round");
		bb_reset(&b);
		free(pad);
	}
}

/* ---- archives, fonts ---- */

/* Fills a 512-byte V7 tar header with a correct checksum. */
static void
tar_v7(uint8_t *h)
{
	unsigned	sum = 0;
	int			i;

	memset(h, 0, 512);
	strcpy((char *) h, "hello.txt");
	memcpy(h + 100, "0000644\0", 8);
	memcpy(h + 108, "0001750\0", 8);
	memcpy(h + 116, "0001750\0", 8);
	memcpy(h + 124, "00000000005\0", 12);
	memcpy(h + 136, "13406673170\0", 12);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *) h + 148, 8, "%06o", sum);
}

/* Archive, compression and font magic numbers; tar checksums. */
static void
test_archives_fonts(void)
{
	mm_probe	p;
	uint8_t		h[600];
	static const struct
	{
		const char *bytes;
		size_t		len;
		const char *mime;
	}			magic[] = {
		{"\x1f\x8b\x08\x00\x00\x00\x00\x00", 8, "application/gzip"},
		{"\xfd" "7zXZ\0\0\x04", 8, "application/x-xz"},
		{"7z\xbc\xaf\x27\x1c\0\x03", 8, "application/x-7z-compressed"},
		{"BZh91AY&SY\0\0", 12, "application/x-bzip2"},
		{"\x28\xb5\x2f\xfd\0\0", 6, "application/zstd"},
		{"!<arch>\ndebian-binary   1523046637  0     0     100644  4         `\n2.0\n", 72,
		"application/vnd.debian.binary-package"},
		{"!<arch>\nfoo.o/          0           0     0     644     4         `\nabcd", 72,
		"application/x-archive"},
		{"\xca\xfe\xba\xbe\0\0\0\x34", 8, "application/x-java-applet"},
		{"\xca\xfe\xba\xbe\0\0\0\x02\0\0\0\x07", 12, "application/octet-stream"},	/* Mach-O fat */
		{"\0\1\0\0\0\x11\1\0\0\4\0\x10GPOS", 16, "font/ttf"},
		{"OTTO\0\x0a\0\x80\0\3\0\x20" "CFF ", 16, "font/otf"},
		{"ttcf\0\1\0\0\0\0\0\2", 12, "font/collection"},
		{"wOFF\0\1\0\0\0\0\1\0\0\x0c", 14, "font/woff"},
		{"wOF2\0\1\0\0\0\0\1\0\0\x0c", 14, "font/woff2"},
		{"\0\1\0\0\0\0\0\0\0\0\0\0", 12, "application/octet-stream"},	/* 0 tables */
	};
	size_t		i;

	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
	{
		mm_probe_buffer((const uint8_t *) magic[i].bytes, magic[i].len, &p);
		MM_CHECK(strcmp(p.mime, magic[i].mime) == 0, "magic %zu: %s (got %s)", i, magic[i].mime, p.mime);
	}
	mm_probe_buffer((const uint8_t *) magic[7].bytes, 8, &p);
	MM_CHECK(detail_int(&p, "class_version", NONE) == 52, "class: version 52");

	tar_v7(h);
	memset(h + 512, 0, sizeof(h) - 512);
	mm_probe_buffer(h, sizeof(h), &p);
	MM_CHECK(strcmp(p.mime, "application/x-tar") == 0, "tar: V7 header with a valid checksum");
	h[0] = 'j';
	mm_probe_buffer(h, sizeof(h), &p);
	MM_CHECK(strcmp(p.mime, "application/x-tar") != 0, "tar: V7 header with a bad checksum is not tar");
	memcpy(h + 257, "ustar\0", 6);
	mm_probe_buffer(h, sizeof(h), &p);
	MM_CHECK(strcmp(p.mime, "application/x-tar") == 0, "tar: ustar magic");
}

/* ---- text ---- */

/* Probes s and checks MIME and size. */
static void
check_text(const char *s, const char *mime, int64_t w, int64_t h, const char *what)
{
	mm_probe	p;

	probe_str(s, &p);
	MM_CHECK(strcmp(p.mime, mime) == 0 && p.width == w && p.height == h,
			 "%s: %s %lldx%lld (got %s %lldx%lld)", what, mime, (long long) w, (long long) h,
			 p.mime, (long long) p.width, (long long) p.height);
}

/* SVG roots after prologs, and sizes in every unit. */
static void
test_svg(void)
{
	mm_probe	p;

	check_text("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"80\" height=\"26\"/>",
			   "image/svg+xml", 80, 26, "svg: unitless");
	check_text("<svg width='100px' height='50px'></svg>", "image/svg+xml", 100, 50, "svg: px");
	check_text("<svg width=\"544pt\" height=\"159pt\" viewBox=\"0 0 543.5 159\">",
			   "image/svg+xml", 725, 212, "svg: pt");
	check_text("<svg width=\"1in\" height=\"2pc\">", "image/svg+xml", 96, 32, "svg: in, pc");
	check_text("<svg width=\"25.4mm\" height=\"2.54cm\">", "image/svg+xml", 96, 96, "svg: mm, cm");
	check_text("<svg width=\"2em\" height=\"3ex\">", "image/svg+xml", 32, 24, "svg: em, ex");
	check_text("<svg width=\"1.5e2\" height=\" 40 \">", "image/svg+xml", 150, 40, "svg: exponent, spaces");
	check_text("<svg width=\"100%\" height=\"100%\" viewBox=\"0 0 104 31\">",
			   "image/svg+xml", 104, 31, "svg: percentages use the viewBox");
	check_text("<svg viewBox=\"0,0,21.166667,6.8791668\">", "image/svg+xml", 21, 7, "svg: viewBox only, commas");
	check_text("<svg width=\"200\" viewBox=\"0 0 100 50\">", "image/svg+xml", 200, 100,
			   "svg: width + viewBox aspect");
	check_text("<svg height=\"10\" viewBox=\"0 0 100 50\">", "image/svg+xml", 20, 10,
			   "svg: height + viewBox aspect");
	check_text("<svg>", "image/svg+xml", -1, -1, "svg: no size");
	check_text("<svg width=\"25.4mm\" height=\"50%\" viewBox=\"0 0 200 1\">", "image/svg+xml", 96, 1,
			   "svg: sub-pixel height rounds up to 1 (fuzz regression)");
	check_text("<svg width=\"1e308\" height=\"-5\">", "image/svg+xml", -1, -1, "svg: absurd sizes unknown");
	check_text("<svg width=\"10furlongs\" height=\"abc\" viewBox=\"0 0 0 0\">", "image/svg+xml", -1, -1,
			   "svg: unknown units, empty viewBox");
	check_text("\xef\xbb\xbf  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Created with Inkscape -->\n"
			   "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" "
			   "[ <!ENTITY ns \"x>y\"> ]>\n<?xml-stylesheet href=\"a.css\"?>\n"
			   "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\" width=\"12\" height=\"34\">",
			   "image/svg+xml", 12, 34, "svg: after BOM, XML decl, comment, doctype with subset, PI");
	probe_str("<svg width=\"1\" height=\"1\"><script>alert(1)</script></svg>", &p);
	MM_CHECK(p.active_content == 1 && strcmp(p.media_type, "image") == 0, "svg: active content");
}

/* HTML, XHTML and XML decisions; UTF-16 markup and text. */
static void
test_markup(void)
{
	mm_probe	p;
	bb			b = {0};

	check_text("<!DOCTYPE html><html><body><svg width=\"10\" height=\"10\"></svg></body></html>",
			   "text/html", -1, -1, "html: inline svg stays text/html");
	check_text("  \n<!doctype HTML>\n<title>x</title>", "text/html", -1, -1, "html: lower-case doctype");
	check_text("<HTML><HEAD>", "text/html", -1, -1, "html: upper-case root");
	check_text("<script>alert(1)</script>", "text/html", -1, -1, "html: script");
	check_text("<!-- just a comment -->", "text/html", -1, -1, "html: leading comment (WHATWG)");
	check_text("<p>Hello</p>", "text/html", -1, -1, "html: p");
	check_text("<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x.dtd\">\n"
			   "<html xmlns=\"http://www.w3.org/1999/xhtml\">", "application/xhtml+xml", -1, -1, "xhtml");
	check_text("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>", "application/xml", -1, -1,
			   "xml: declaration + other root");
	check_text("<note xmlns=\"urn:x\"><to>a</to></note>", "application/xml", -1, -1, "xml: root with xmlns");
	check_text("<foo@example.org> wrote:\nhi\n", "text/plain", -1, -1, "text: <mail address> is not markup");
	check_text("<?xml version=\"1.0\"?>", "application/xml", -1, -1, "xml: declaration only");
	check_text("<!-- unterminated comment", "text/html", -1, -1, "html: unterminated comment");
	check_text("<!-- c --><foo>bar</foo>", "text/html", -1, -1, "html: comment before an unknown root");
	check_text("<foo>bar</foo>", "text/plain", -1, -1, "text: unknown root without XML hints");
	probe_str("<html>", &p);
	MM_CHECK(p.active_content == 1 && strcmp(p.media_type, "document") == 0, "html: active content");

	/* UTF-16LE with BOM: markup and text */
	bb_put(&b, "\xff\xfe", 2);
	bb_put(&b, "<\0s\0v\0g\0 \0w\0i\0d\0t\0h\0=\0\"\0003\0\"\0 \0h\0e\0i\0g\0h\0t\0=\0\"\0004\0\"\0>\0", 52);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/svg+xml") == 0 && p.width == 3 && p.height == 4 &&
			 strcmp(detail_str(&p, "charset"), "utf-16le") == 0, "utf-16le svg 3x4");
	bb_reset(&b);
	bb_put(&b, "\xfe\xff\0h\0i\0!", 8);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "text/plain") == 0 && strcmp(detail_str(&p, "charset"), "utf-16be") == 0,
			 "utf-16be text");
	bb_reset(&b);
}

/* JSON validation, RTF, XBM, XPM and plain-text encodings. */
static void
test_json_text(void)
{
	mm_probe	p;
	bb			b = {0};
	int			i;

	check_text("{\"a\": [1, -2.5e+3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}}\n",
			   "application/json", -1, -1, "json: object");
	check_text(" [ ] ", "application/json", -1, -1, "json: empty array");
	check_text("{\"a\": 1,}", "text/plain", -1, -1, "json: trailing comma is text");
	check_text("{\"a\": 01}", "text/plain", -1, -1, "json: leading zero is text");
	check_text("{\"a\": 1} {", "text/plain", -1, -1, "json: two values is text");
	check_text("[1, 2", "text/plain", -1, -1, "json: unterminated whole file is text");
	check_text("\"just a string\"", "text/plain", -1, -1, "json: scalar top level is text");
	check_text("{\\rtf1\\ansi hello}", "application/rtf", -1, -1, "rtf");

	/* 600 levels deep: beyond the validator's depth */
	for (i = 0; i < 600; i++)
		bb_u8(&b, '[');
	for (i = 0; i < 600; i++)
		bb_u8(&b, ']');
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "application/json") != 0, "json: too deep is not JSON");
	bb_reset(&b);

	/* a 100 KB JSON document: the 64 KB prefix is validated */
	bb_str(&b, "{\"k\": [");
	for (i = 0; i < 20000; i++)
		bb_str(&b, "1234,");
	bb_str(&b, "0]}");
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "application/json") == 0, "json: 100 KB document, prefix validated");
	MM_CHECK(probe_windowed(b.p, b.len, 4096, &p) == 1 && strcmp(p.mime, "application/json") == 0,
			 "json: NEED for the 64 KB prefix, then JSON");
	bb_reset(&b);

	check_text("#define test_width 16\n#define test_height 7\nstatic char test_bits[] = {\n0x00 };\n",
			   "image/x-xbitmap", 16, 7, "xbm");
	check_text("/* made by hand */\n#define a_b_width 3\n#define a_b_height 4\n", "image/x-xbitmap", 3, 4,
			   "xbm: leading comment");
	check_text("/* XPM */\nstatic char * x_xpm[] = {\n\"48 40 2 1\",\n\"a c #fff\",\n", "image/x-xpixmap",
			   48, 40, "xpm");
	check_text("! XPM2\n12 13 2 1\n", "image/x-xpixmap", 12, 13, "xpm2");
	check_text("Hello, world.\nSecond line\twith tab.\n", "text/plain", -1, -1, "text: ascii");
	check_text("Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80\n", "text/plain", -1, -1, "text: utf-8");
	check_text("\xef\xbb\xbfwith BOM", "text/plain", -1, -1, "text: utf-8 BOM");
	check_text("Latin-1 \xe9t\xe9", "application/octet-stream", -1, -1, "text: latin-1 is not utf-8 text");
	check_text("over-long \xc0\xaf", "application/octet-stream", -1, -1, "text: overlong utf-8");
	check_text("surrogate \xed\xa0\x80", "application/octet-stream", -1, -1, "text: utf-8 surrogate");
	check_text("bell \x07", "application/octet-stream", -1, -1, "text: control byte is binary");
	mm_probe_buffer((const uint8_t *) "", 0, &p);
	MM_CHECK(strcmp(p.mime, "application/octet-stream") == 0, "empty file: octet-stream");
	probe_str("plain", &p);
	MM_CHECK(strcmp(detail_str(&p, "charset"), "utf-8") == 0 && p.active_content == 0,
			 "text: charset utf-8, no active content");
}

/* Runs every group and prints the TAP plan. */
int
main(void)
{
	test_pdf();
	test_zip();
	test_archives_fonts();
	test_svg();
	test_markup();
	test_json_text();
	return mm_test_done();
}
