/*
 * test_variant.c - unit tests of the variant spec (image/variant.h): the
 * spellings that parse, their normalised form, and every refusal, with
 * inputs that are not NUL-terminated where the length ends.
 */
#include <string.h>

#include "image/variant.h"
#include "mm_test.h"

/* Parses value and checks it gives the normalised form want. */
static void
check_ok(const char *value, const char *want)
{
	mm_variant	v;
	char		err[200] = "";
	char		norm[64] = "";
	int			r = mm_variant_parse(value, strlen(value), 8192, &v, err, sizeof(err));

	if (r == 0)
		mm_variant_format(&v, norm, sizeof(norm));
	MM_CHECK(r == 0 && strcmp(norm, want) == 0, "variant \"%s\" -> \"%s\" (%s)", value, norm, err);
}

/* Parses value, expects a refusal whose reason contains reason. */
static void
check_refused(const char *value, const char *reason)
{
	mm_variant	v;
	char		err[200] = "";
	int			r = mm_variant_parse(value, strlen(value), 8192, &v, err, sizeof(err));

	MM_CHECK(r == -1 && strstr(err, reason) != NULL, "variant \"%s\" refused: %s", value, err);
}

/* Every spelling of one variant has one normalised form. */
static void
test_normalised(void)
{
	check_ok("w=256,h=256,format=jpeg", "w=256,h=256,format=jpeg");
	check_ok("w=256,h=256", "w=256,h=256,format=jpeg");
	check_ok("h=256,w=256", "w=256,h=256,format=jpeg");
	check_ok(" W = 0256 , H=256 ,Format=JPG ", "w=256,h=256,format=jpeg");
	check_ok("format=png,w=64,h=32", "w=64,h=32,format=png");
	check_ok("w=1,h=8192,format=PNG", "w=1,h=8192,format=png");
	check_ok("w=8192,h=1", "w=8192,h=1,format=jpeg");
}

/* Everything outside the grammar is refused with a reason. */
static void
test_refused(void)
{
	check_refused("", "key=value");
	check_refused("w=256", "both w and h");
	check_refused("h=256,format=png", "both w and h");
	check_refused("w=256,h=256,", "key=value");		/* empty item */
	check_refused("w=256,,h=256", "key=value");
	check_refused("w=256;h=256", "followed by a comma");
	check_refused("w=256&h=256", "followed by a comma");
	check_refused("w=,h=256", "letters or digits");
	check_refused("w=256,h=256,format=gif", "jpeg or png");
	check_refused("w=256,h=256,format=webp", "jpeg or png");
	check_refused("w=0,h=256", "from 1 to 8192");
	check_refused("w=8193,h=256", "from 1 to 8192");
	check_refused("w=99999999999999999999,h=1", "from 1 to 8192");
	check_refused("w=-5,h=256", "letters or digits");
	check_refused("w=1e3,h=256", "from 1 to 8192");
	check_refused("w=256,h=256,w=128", "\"w\" is given twice");
	check_refused("w=256,h=256,format=png,format=jpeg", "\"format\" is given twice");
	check_refused("w=256,h=256,resize=cover", "Unknown key \"resize\"");
	check_refused("width=256,h=256", "Unknown key \"width\"");
	check_refused("w 256", "key=value");
	check_refused("w=256 h=256", "followed by a comma");
	check_refused("w=25\xc3\xa9,h=1", "followed by a comma");
}

/* Lengths are honoured: nothing past len is read, and long inputs are refused. */
static void
test_lengths(void)
{
	mm_variant	v;
	char		err[200] = "";
	char		big[MM_VARIANT_MAX_LEN + 2];
	char		small[8];

	/* "w=1,h=2" followed by bytes that would be an error if read */
	MM_CHECK(mm_variant_parse("w=1,h=2,zzz", 7, 8192, &v, err, sizeof(err)) == 0 &&
			 v.width == 1 && v.height == 2, "only len bytes are read");
	memset(big, ' ', sizeof(big));
	memcpy(big, "w=1,h=1", 7);
	MM_CHECK(mm_variant_parse(big, MM_VARIANT_MAX_LEN, 8192, &v, err, sizeof(err)) == 0,
			 "%d bytes (trailing blanks) are accepted", MM_VARIANT_MAX_LEN);
	MM_CHECK(mm_variant_parse(big, MM_VARIANT_MAX_LEN + 1, 8192, &v, err, sizeof(err)) == -1 &&
			 strstr(err, "at most") != NULL, "%d bytes are refused", MM_VARIANT_MAX_LEN + 1);
	MM_CHECK(mm_variant_parse(NULL, 0, 8192, &v, err, sizeof(err)) == -1, "NULL is refused");
	MM_CHECK(mm_variant_parse("w=300,h=1", 9, 256, &v, NULL, 0) == -1, "max_side bounds w, no error buffer");
	/* the normalised form reports its length and truncates safely */
	v.width = 8192;
	v.height = 8192;
	v.format = MM_THUMB_PNG;
	MM_CHECK(mm_variant_format(&v, small, sizeof(small)) == strlen("w=8192,h=8192,format=png") &&
			 strlen(small) == sizeof(small) - 1, "mm_variant_format truncates and reports the length");
}

int
main(void)
{
	test_normalised();
	test_refused();
	test_lengths();
	return mm_test_done();
}
