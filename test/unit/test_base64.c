/*
 * test_base64.c - unit tests of the base64 decoder and encoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "mm_test.h"

/* A small deterministic generator (xorshift64*) for the random tests. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t) ((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Decodes a NUL-terminated string; returns the status, output in out/outlen. */
static mm_b64_status
dec(const char *s, uint8_t *out, size_t *outlen, size_t *err)
{
	return mm_base64_decode(s, strlen(s), out, outlen, err);
}

/* Checks that s decodes to exactly want (NUL-terminated). */
static void
check_ok(const char *s, const char *want, const char *what)
{
	uint8_t		out[4096];
	size_t		outlen = 12345;
	size_t		err = 0;
	mm_b64_status st = dec(s, out, &outlen, &err);

	MM_CHECK(st == MM_B64_OK && outlen == strlen(want) &&
			 memcmp(out, want, outlen) == 0,
			 "decode %s: status %d, %zu bytes", what, (int) st, outlen);
}

/* Checks that s fails with status want at offset want_off. */
static void
check_err(const char *s, mm_b64_status want, size_t want_off, const char *what)
{
	uint8_t		out[4096];
	size_t		outlen = 0;
	size_t		err = 99999;
	mm_b64_status st = dec(s, out, &outlen, &err);

	MM_CHECK(st == want && err == want_off,
			 "error %s: want %s at %zu, got %s at %zu", what,
			 mm_base64_status_text(want), want_off,
			 mm_base64_status_text(st), err);
}

/* Checks one encoding against its expected text. */
static void
check_enc(const char *in, int url, int padded, const char *want)
{
	char		out[256];
	size_t		n = strlen(in);
	size_t		elen = mm_base64_encoded_len(n, padded);

	mm_base64_encode((const uint8_t *) in, n, out, url, padded);
	MM_CHECK(elen == strlen(want) && memcmp(out, want, elen) == 0,
			 "encode \"%s\" url=%d padded=%d -> %s", in, url, padded, want);
}

/* RFC 4648 section 10 vectors, both directions. */
static void
test_rfc4648(void)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const bare[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	int			i;

	for (i = 0; i < 7; i++)
	{
		check_ok(padded[i], plain[i], padded[i]);
		check_ok(bare[i], plain[i], bare[i]);
		check_enc(plain[i], 0, 1, padded[i]);
		check_enc(plain[i], 0, 0, bare[i]);
		check_enc(plain[i], 1, 1, padded[i]);
	}
}

/* The alphabets: bytes that need '+' '/' or '-' '_'. */
static void
test_alphabets(void)
{
	const char	bin[] = "\xfb\xff\xbf\xfe";	/* +/+/ ... */
	uint8_t		out[16];
	size_t		n;
	size_t		err;

	check_enc(bin, 0, 1, "+/+//g==");
	check_enc(bin, 1, 1, "-_-__g==");
	check_enc(bin, 1, 0, "-_-__g");
	check_ok("+/+//g==", bin, "standard alphabet");
	check_ok("-_-__g==", bin, "url-safe alphabet");
	check_ok("-_-__g", bin, "url-safe unpadded");
	check_err("+/-_", MM_B64_MIXED_ALPHABET, 2, "mixed +/ then -");
	check_err("AAAA_AAA+AAA", MM_B64_MIXED_ALPHABET, 8, "mixed _ then +");
	check_err("AB-A AB/A", MM_B64_MIXED_ALPHABET, 7, "mixed across whitespace");
	check_err("-AAA+", MM_B64_MIXED_ALPHABET, 4, "a dangling character of the other alphabet is a mix");
	check_err("-AA=+", MM_B64_BAD_PADDING, 4, "data after padding is a padding error even if mixed");
	/* mixing deep inside a long clean run (fast path) */
	{
		char		buf[200];

		memset(buf, 'A', sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		buf[17] = '+';
		buf[150] = '_';
		check_err(buf, MM_B64_MIXED_ALPHABET, 150, "mixed in the fast path");
		buf[100] = '*';
		check_err(buf, MM_B64_BAD_CHAR, 100, "bad char before the mix");
		buf[100] = 'A';
		buf[160] = '*';
		check_err(buf, MM_B64_MIXED_ALPHABET, 150, "mix before a bad char");
	}
	MM_CHECK(mm_base64_decode("QUJD", 4, out, &n, &err) == MM_B64_OK && n == 3 &&
			 memcmp(out, "ABC", 3) == 0, "plain decode");
}

/* Whitespace anywhere, and encode() style 76-column lines. */
static void
test_whitespace(void)
{
	uint8_t		data[1000];
	char		enc[2000];
	char		wrapped[3000];
	uint8_t		out[2000];
	size_t		elen;
	size_t		i;
	size_t		w = 0;
	size_t		n = 0;
	size_t		err = 0;

	check_ok(" Zm9v YmFy ", "foobar", "spaces");
	check_ok("Z\tm\n9\rv\fY\vm\r\nFy\n", "foobar", "every whitespace kind");
	check_ok("Zm8\n=\n", "fo", "newline before padding");
	check_ok("Zg=\n=", "f", "newline inside padding");
	check_ok("Zg==  \r\n", "f", "whitespace after padding");
	check_ok(" \n\t", "", "whitespace only");
	check_ok("", "", "empty input");

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t) (i * 7 + 3);
	elen = mm_base64_encoded_len(sizeof(data), 1);
	mm_base64_encode(data, sizeof(data), enc, 0, 1);
	for (i = 0; i < elen; i++)
	{
		if (i > 0 && i % 76 == 0)
			wrapped[w++] = '\n';
		wrapped[w++] = enc[i];
	}
	MM_CHECK(mm_base64_decode(wrapped, w, out, &n, &err) == MM_B64_OK &&
			 n == sizeof(data) && memcmp(out, data, n) == 0,
			 "76-column wrapped input as encode() makes it");
	for (i = 0, w = 0; i < elen; i++)
	{
		if (i > 0 && i % 64 == 0)
		{
			wrapped[w++] = '\r';
			wrapped[w++] = '\n';
		}
		wrapped[w++] = enc[i];
	}
	MM_CHECK(mm_base64_decode(wrapped, w, out, &n, &err) == MM_B64_OK &&
			 n == sizeof(data) && memcmp(out, data, n) == 0,
			 "64-column CRLF wrapped input (PEM style)");
}

/* The data: URL prefix. */
static void
test_data_prefix(void)
{
	check_ok("data:image/png;base64,Zm9v", "foo", "data: prefix");
	check_ok("DATA:text/plain;charset=utf-8;BASE64,Zm9vYg==", "foob", "prefix upper case with a parameter");
	check_ok("data:;base64,Zm9v", "foo", "prefix without a media type");
	check_ok("  data:a/b;base64,\nZm9v", "foo", "prefix after whitespace, newline after");
	check_ok("data:application/vnd.x+y;base64,-_-__g", "\xfb\xff\xbf\xfe", "'+' in the media type is not a mix");
	check_ok("data:image/png;base64,", "", "prefix with nothing after it");
	check_err("data:text/plain,Zm9v", MM_B64_BAD_CHAR, 4, "prefix without ;base64");
	check_err("data:image/png;base64Zm9v", MM_B64_BAD_CHAR, 4, "prefix without a comma");
	check_err("data:image/png;base64,Zm9v*", MM_B64_BAD_CHAR, 26, "offset counts the prefix");
	check_err("data:image/png;base64,Zm9vY", MM_B64_BAD_LENGTH, 26, "bad length after a prefix");
}

/* Every error kind with its offset. */
static void
test_errors(void)
{
	check_err("Zm9v*mFy", MM_B64_BAD_CHAR, 4, "'*'");
	check_err("Zm9vYmF\x80", MM_B64_BAD_CHAR, 7, "high byte");
	check_err("Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy.m9v", MM_B64_BAD_CHAR, 32, "'.' after a fast run");
	check_err("Z", MM_B64_BAD_LENGTH, 0, "one character");
	check_err("Zm9vY", MM_B64_BAD_LENGTH, 4, "dangling fifth character");
	check_err("Zm9v\n Y \n", MM_B64_BAD_LENGTH, 6, "dangling character among whitespace");
	check_err("=", MM_B64_BAD_PADDING, 0, "padding alone");
	check_err("Zm9v=", MM_B64_BAD_PADDING, 4, "padding after a full group");
	check_err("Z=", MM_B64_BAD_PADDING, 1, "padding after one character");
	check_err("Zg=", MM_B64_BAD_PADDING, 2, "'==' cut short");
	check_err("Zg= ", MM_B64_BAD_PADDING, 2, "'==' cut short before whitespace");
	check_err("Zg=A", MM_B64_BAD_PADDING, 3, "data in place of the second '='");
	check_err("Zm8==", MM_B64_BAD_PADDING, 4, "one '=' too many");
	check_err("Zg===", MM_B64_BAD_PADDING, 4, "three '='");
	check_err("Zg==Zg==", MM_B64_BAD_PADDING, 4, "data after padding");
	check_err("Zm8=\nZm8=", MM_B64_BAD_PADDING, 5, "data after padding and whitespace");
	check_err("Zm8=*", MM_B64_BAD_PADDING, 4, "junk after padding");
	{
		uint8_t		out[16];
		size_t		n;
		size_t		err = 0;

		MM_CHECK(mm_base64_decode("Zm9v\0YmFy", 9, out, &n, &err) == MM_B64_BAD_CHAR && err == 4,
				 "embedded NUL is a bad character at 4");
	}
	check_ok("Zh==", "f", "non-zero trailing bits are accepted");
	check_ok("Zm9=", "fo", "non-zero trailing bits in a 3-character group");
	MM_CHECK(strcmp(mm_base64_status_text(MM_B64_BAD_CHAR), "invalid character") == 0,
			 "status text");
}

/* Sizes: decoded_max and encoded_len, including overflow. */
static void
test_sizes(void)
{
	MM_CHECK(mm_base64_decoded_max(0) == 0, "decoded_max(0)");
	MM_CHECK(mm_base64_decoded_max(4) == 3, "decoded_max(4)");
	MM_CHECK(mm_base64_decoded_max(6) == 4, "decoded_max(6)");
	MM_CHECK(mm_base64_decoded_max(7) == 5, "decoded_max(7)");
	MM_CHECK(mm_base64_decoded_max(SIZE_MAX) >= (SIZE_MAX / 4) * 3, "decoded_max(SIZE_MAX) no overflow");
	MM_CHECK(mm_base64_encoded_len(0, 1) == 0, "encoded_len(0)");
	MM_CHECK(mm_base64_encoded_len(1, 1) == 4 && mm_base64_encoded_len(1, 0) == 2, "encoded_len(1)");
	MM_CHECK(mm_base64_encoded_len(2, 1) == 4 && mm_base64_encoded_len(2, 0) == 3, "encoded_len(2)");
	MM_CHECK(mm_base64_encoded_len(SIZE_MAX, 1) == SIZE_MAX, "encoded_len overflow -> SIZE_MAX");
	MM_CHECK(mm_base64_encoded_len(SIZE_MAX / 4 * 3, 0) == SIZE_MAX - 3, "encoded_len at the limit");
	MM_CHECK(mm_base64_encoded_len(SIZE_MAX / 4 * 3 + 1, 0) == SIZE_MAX - 1, "encoded_len unpadded tail at the limit");
	MM_CHECK(mm_base64_encoded_len(SIZE_MAX / 4 * 3 + 1, 1) == SIZE_MAX, "encoded_len padded tail overflows");
}

/*
 * Random data of every length 0..3000 through all four modes; also decodes
 * with whitespace sprinkled in, and checks that an output buffer of exactly
 * decoded_max bytes is never overrun (heap buffers so ASan sees it).
 */
static void
test_round_trip(void)
{
	int			mode;
	size_t		len;
	int			bad = 0;

	for (mode = 0; mode < 4; mode++)
	{
		int			url = mode & 1;
		int			padded = (mode >> 1) & 1;

		bad = 0;
		for (len = 0; len <= 3000 && !bad; len++)
		{
			uint8_t    *data = malloc(len + 1);
			size_t		elen = mm_base64_encoded_len(len, padded);
			char	   *enc = malloc(elen + 1);
			char	   *spaced = malloc(elen * 2 + 2);
			uint8_t    *out;
			size_t		i;
			size_t		s = 0;
			size_t		n = 0;
			size_t		err = 0;

			for (i = 0; i < len; i++)
				data[i] = (uint8_t) rng();
			mm_base64_encode(data, len, enc, url, padded);
			out = malloc(mm_base64_decoded_max(elen) + 1);
			if (mm_base64_decode(enc, elen, out, &n, &err) != MM_B64_OK ||
				n != len || memcmp(out, data, len) != 0)
				bad = 1;
			free(out);

			for (i = 0; i < elen; i++)
			{
				if (rng() % 37 == 0)
					spaced[s++] = " \n\t\r"[rng() % 4];
				spaced[s++] = enc[i];
			}
			out = malloc(mm_base64_decoded_max(s) + 1);
			if (mm_base64_decode(spaced, s, out, &n, &err) != MM_B64_OK ||
				n != len || memcmp(out, data, len) != 0)
				bad = 1;
			free(out);
			free(spaced);
			free(enc);
			free(data);
		}
		MM_CHECK(!bad, "round trip of lengths 0..3000, url=%d padded=%d%s",
				 url, padded, bad ? " (failed)" : "");
	}
}

/*
 * A bad character at every position of a long input: the fast path must
 * hand over to the slow one and the offset must be exact.
 */
static void
test_error_every_position(void)
{
	char		buf[301];
	uint8_t		out[300];
	size_t		i;
	int			bad = 0;

	for (i = 0; i < 300; i++)
	{
		size_t		n;
		size_t		err = 0;

		memset(buf, 'Q', 300);
		buf[i] = '!';
		if (mm_base64_decode(buf, 300, out, &n, &err) != MM_B64_BAD_CHAR || err != i)
			bad = 1;
	}
	MM_CHECK(!bad, "bad character at each of 300 positions reported exactly");
}

/*
 * Wrapped input at every line width from 1 to 100 with three kinds of line
 * break, and spaces inside groups: exercises the vector path's whitespace
 * skipping at group boundaries and its hand-over to the scalar path
 * elsewhere.
 */
static void
test_wrapped_widths(void)
{
	static const char *const breaks[] = {"\n", "\r\n", " \t "};
	uint8_t		data[3000];
	char		enc[4100];
	char		wrapped[16000];
	uint8_t		dec[4000];
	size_t		i,
				n = sizeof(data),
				elen;
	int			width,
				b,
				failures = 0;

	for (i = 0; i < n; i++)
		data[i] = (uint8_t) (i * 131 + (i >> 3));
	elen = mm_base64_encoded_len(n, 1);
	mm_base64_encode(data, n, enc, 0, 1);
	for (b = 0; b < 3; b++)
		for (width = 1; width <= 100; width++)
		{
			size_t		w = 0,
						outlen = 0,
						err = 0,
						k;

			for (k = 0; k < elen; k++)
			{
				if (k > 0 && k % (size_t) width == 0)
				{
					memcpy(wrapped + w, breaks[b], strlen(breaks[b]));
					w += strlen(breaks[b]);
				}
				wrapped[w++] = enc[k];
			}
			if (mm_base64_decode(wrapped, w, dec, &outlen, &err) != MM_B64_OK ||
				outlen != n || memcmp(dec, data, n) != 0)
				failures++;
		}
	MM_CHECK(failures == 0, "wrapped at every width 1..100 with three kinds of break (%d failures)", failures);
}

int
main(void)
{
	test_rfc4648();
	test_alphabets();
	test_whitespace();
	test_data_prefix();
	test_errors();
	test_sizes();
	test_round_trip();
	test_error_every_position();
	test_wrapped_widths();
	return mm_test_done();
}
