/*
 * test_name.c - unit tests of mm_sanitize_name.
 */
#include <string.h>

#include "util/name.h"
#include "mm_test.h"

/* Sanitizes in[0..inlen) and compares with want. */
static void
check_len(const char *in, size_t inlen, const char *want, const char *what)
{
	char		out[MM_NAME_MAX + 1];
	size_t		n;

	memset(out, 'Z', sizeof(out));
	n = mm_sanitize_name(in, inlen, out);
	MM_CHECK(n == strlen(want) && strcmp(out, want) == 0 && out[n] == '\0',
			 "%s: \"%s\" (%zu bytes)", what, out, n);
}

/* Sanitizes a NUL-terminated name and compares with want. */
static void
check(const char *in, const char *want, const char *what)
{
	check_len(in, strlen(in), want, what);
}

/* Path components, traversal, hidden names. */
static void
test_paths(void)
{
	check("photo.jpg", "photo.jpg", "plain name unchanged");
	check("../../etc/passwd", "passwd", "traversal keeps the last component");
	check("C:\\Users\\me\\report.pdf", "report.pdf", "backslash separates");
	check("a/b\\c/d.txt", "d.txt", "mixed separators");
	check("dir/", "", "trailing separator leaves nothing");
	check("..", "", "'..' is nothing");
	check(".", "", "'.' is nothing");
	check("a/..", "", "'..' after a directory is nothing");
	check(".bashrc", "bashrc", "leading dot trimmed");
	check("...hidden...", "hidden", "dots trimmed at both ends");
	check("  spaced name.txt  ", "spaced name.txt", "surrounding spaces trimmed");
	check(" . . x . . ", "x", "mixed spaces and dots trimmed");
	check("inner..dots.tar.gz", "inner..dots.tar.gz", "inner dots kept");
	check("", "", "empty input");
	check_len(NULL, 0, "", "NULL input");
}

/* Control characters, invalid UTF-8 and spoofing characters. */
static void
test_characters(void)
{
	check_len("a\0b.txt", 7, "ab.txt", "NUL dropped");
	check("a\tb\r\n\x1b[31m.txt", "ab[31m.txt", "C0 controls dropped");
	check("a\x7f" "b", "ab", "DEL dropped");
	check("a\xc2\x85" "b\xc2\x9f", "ab", "C1 controls dropped");
	check("caf\xc3\xa9.txt", "caf\xc3\xa9.txt", "UTF-8 kept");
	check("\xe6\x97\xa5\xe6\x9c\xac.png", "\xe6\x97\xa5\xe6\x9c\xac.png", "CJK kept");
	check("\xf0\x9f\x98\x80.gif", "\xf0\x9f\x98\x80.gif", "4-byte character kept");
	check("a\xff" "b\xc0\xaf" "c", "abc", "invalid bytes and overlong '/' dropped");
	check("a\xed\xa0\x80" "b", "ab", "surrogate dropped");
	check("a\xf4\x90\x80\x80" "b", "ab", "above U+10FFFF dropped");
	check("a\xe2\x82", "a", "truncated sequence at the end dropped");
	check("a\xe2\x82" "b", "ab", "truncated sequence in the middle dropped");
	check("x\xe2\x80\xaetxt.exe", "xtxt.exe", "RLO dropped");
	check("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae" "a",
		  "a", "U+202A..U+202E dropped");
	check("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9" "b", "b", "U+2066..U+2069 dropped");
	check("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "abc", "U+2028, U+2029 dropped");
	check("a\xe2\x80\x8e" "b\xe2\x80\x8f", "ab", "LRM, RLM dropped");
	check("\xe2\x80\xae.txt", "txt", "a dropped character does not shield a dot");
	check("\x01\x02\x03", "", "only controls leaves nothing");
}

/* Truncation to MM_NAME_MAX bytes on character boundaries, keeping extensions. */
static void
test_truncation(void)
{
	char		in[2000];
	char		want[MM_NAME_MAX + 1];
	char		out[MM_NAME_MAX + 1];
	size_t		n;
	size_t		i;

	memset(in, 'a', 255);
	in[255] = '\0';
	check(in, in, "255 bytes kept whole");

	memset(in, 'a', 300);
	strcpy(in + 300, ".jpeg");
	memset(want, 'a', 250);
	strcpy(want + 250, ".jpeg");
	check(in, want, "long name keeps its extension");

	memset(in, 'a', 300);
	strcpy(in + 300, ".thisisaverylongextension");
	memset(want, 'a', 255);
	want[255] = '\0';
	check(in, want, "an extension over 16 bytes is not kept");

	memset(in, 'a', 300);
	strcpy(in + 300, ".ext.");
	memset(want, 'a', 251);
	strcpy(want + 251, ".ext");
	check(in, want, "trailing dot trimmed before keeping the extension");

	/* 2-byte characters: the cut must not split one */
	for (i = 0; i < 300; i++)
	{
		in[2 * i] = '\xc3';
		in[2 * i + 1] = '\xa9';
	}
	in[600] = '\0';
	n = mm_sanitize_name(in, 600, out);
	MM_CHECK(n == 254 && (unsigned char) out[253] == 0xa9, "cut on a character boundary (%zu bytes)", n);

	/* 3-byte characters before an extension */
	for (i = 0; i < 100; i++)
		memcpy(in + 3 * i, "\xe6\x97\xa5", 3);
	strcpy(in + 300, ".txt");
	n = mm_sanitize_name(in, 304, out);
	MM_CHECK(n == 83 * 3 + 4 && strcmp(out + 249, ".txt") == 0,
			 "3-byte characters cut before the extension (%zu bytes)", n);

	/* spaces at the cut point are trimmed */
	memset(in, 'a', 240);
	memset(in + 240, ' ', 60);
	strcpy(in + 300, ".txt");
	memset(want, 'a', 240);
	strcpy(want + 240, ".txt");
	check(in, want, "spaces before the extension trimmed at the cut");

	memset(in, 'a', 254);
	in[254] = ' ';
	memset(in + 255, 'b', 10);
	in[265] = '\0';
	memset(want, 'a', 254);
	want[254] = '\0';
	check(in, want, "no trailing space after the cut");

	/* very long input of mostly dropped bytes */
	memset(in, '\x01', 1990);
	strcpy(in + 1990, "ok.txt");
	check(in, "ok.txt", "long run of dropped bytes");
}

int
main(void)
{
	test_paths();
	test_characters();
	test_truncation();
	return mm_test_done();
}
