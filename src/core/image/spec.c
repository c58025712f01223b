/*
 * image/spec.c - the transform spec: names, the text form, its checks,
 * format negotiation and the canonical text (see image/spec.h).
 */
#include "image/spec.h"

#include <stdio.h>
#include <string.h>

#include "util/accept.h"
#include "util/errmsg.h"

/* A name and the value it stands for. */
typedef struct spec_name
{
	const char *name;
	int			value;
} spec_name;

/* The first name of each value is its canonical one. */
static const spec_name resize_names[] = {
	{"contain", MM_RESIZE_CONTAIN}, {"cover", MM_RESIZE_COVER}, {"fill", MM_RESIZE_FILL},
	{NULL, 0}
};
static const spec_name gravity_names[] = {
	{"centre", MM_GRAVITY_CENTRE}, {"center", MM_GRAVITY_CENTRE},
	{"attention", MM_GRAVITY_ATTENTION}, {"entropy", MM_GRAVITY_ENTROPY},
	{NULL, 0}
};
static const spec_name format_names[] = {
	{"auto", MM_THUMB_AUTO}, {"jpeg", MM_THUMB_JPEG}, {"jpg", MM_THUMB_JPEG},
	{"png", MM_THUMB_PNG}, {"webp", MM_THUMB_WEBP}, {"webp-lossless", MM_THUMB_WEBP_LOSSLESS},
	{"avif", MM_THUMB_AVIF},
	{NULL, 0}
};

/* Does s[0..n) equal the lower-case name, ignoring ASCII case? */
static int
name_equals(const char *s, size_t n, const char *name)
{
	size_t		k;

	if (strlen(name) != n)
		return 0;
	for (k = 0; k < n; k++)
	{
		char		c = s[k];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != name[k])
			return 0;
	}
	return 1;
}

/* Looks s[0..n) up in a name table; 0 when it is not there. */
static int
lookup(const spec_name *t, const char *s, size_t n, int *value)
{
	for (; t->name != NULL; t++)
	{
		if (name_equals(s, n, t->name))
		{
			*value = t->value;
			return 1;
		}
	}
	return 0;
}

/* The canonical (first) name of value in a table. */
static const char *
canonical_name(const spec_name *t, int value)
{
	for (; t->name != NULL; t++)
	{
		if (t->value == value)
			return t->name;
	}
	return "?";
}

/* Sets the defaults; see image/spec.h. */
void
mm_xform_init(mm_xform *x)
{
	memset(x, 0, sizeof(*x));
	x->resize = MM_RESIZE_CONTAIN;
	x->gravity = MM_GRAVITY_CENTRE;
	x->format = MM_THUMB_AUTO;
}

/* Looks a resize mode up by name. */
int
mm_xform_resize_from_name(const char *name, size_t len, mm_resize *out)
{
	int			v;

	if (!lookup(resize_names, name, len, &v))
		return 0;
	*out = (mm_resize) v;
	return 1;
}

/* Looks a gravity up by name. */
int
mm_xform_gravity_from_name(const char *name, size_t len, mm_gravity *out)
{
	int			v;

	if (!lookup(gravity_names, name, len, &v))
		return 0;
	*out = (mm_gravity) v;
	return 1;
}

/* Looks an output format up by name. */
int
mm_xform_format_from_name(const char *name, size_t len, mm_thumb_format *out)
{
	int			v;

	if (!lookup(format_names, name, len, &v))
		return 0;
	*out = (mm_thumb_format) v;
	return 1;
}

/* Canonical names of the three kinds of value. */
const char *
mm_xform_resize_name(mm_resize r)
{
	return canonical_name(resize_names, (int) r);
}

const char *
mm_xform_gravity_name(mm_gravity g)
{
	return canonical_name(gravity_names, (int) g);
}

const char *
mm_xform_format_name(mm_thumb_format f)
{
	return canonical_name(format_names, (int) f);
}

/* The MIME type an output format is served as. */
const char *
mm_xform_format_mime(mm_thumb_format f)
{
	switch (f)
	{
		case MM_THUMB_JPEG:
			return "image/jpeg";
		case MM_THUMB_PNG:
			return "image/png";
		case MM_THUMB_WEBP:
		case MM_THUMB_WEBP_LOSSLESS:
			return "image/webp";
		case MM_THUMB_AVIF:
			return "image/avif";
		case MM_THUMB_AUTO:
			break;
	}
	return NULL;
}

/* Does quality apply to this format? */
int
mm_xform_format_lossy(mm_thumb_format f)
{
	return f == MM_THUMB_JPEG || f == MM_THUMB_WEBP || f == MM_THUMB_AVIF || f == MM_THUMB_AUTO;
}

/* Reads a decimal number of at most 6 digits from s[0..n); -1 if it is not one. */
static int
read_number(const char *s, size_t n)
{
	int			v = 0;
	size_t		k;

	if (n == 0 || n > 6)
		return -1;
	for (k = 0; k < n; k++)
	{
		if (s[k] < '0' || s[k] > '9')
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	return v;
}

/* The keys of the text form; the bit of each marks it as seen. */
enum
{
	KEY_W = 1, KEY_H = 2, KEY_RESIZE = 4, KEY_GRAVITY = 8, KEY_FORMAT = 16, KEY_Q = 32
};

static const spec_name key_names[] = {
	{"w", KEY_W}, {"width", KEY_W}, {"h", KEY_H}, {"height", KEY_H},
	{"resize", KEY_RESIZE}, {"fit", KEY_RESIZE}, {"gravity", KEY_GRAVITY},
	{"format", KEY_FORMAT}, {"f", KEY_FORMAT}, {"q", KEY_Q}, {"quality", KEY_Q},
	{NULL, 0}
};

/* Sets one key's value in x; returns 0, or -1 with a message. */
static int
set_key(mm_xform *x, int key, const char *v, size_t vlen, char *err, size_t errlen)
{
	int			ok = 1;
	int			num;

	switch (key)
	{
		case KEY_W:
		case KEY_H:
		case KEY_Q:
			num = read_number(v, vlen);
			/* q=0 would read as "not given" */
			ok = key == KEY_Q ? num >= 1 : num >= 0;
			if (key == KEY_W)
				x->width = num;
			else if (key == KEY_H)
				x->height = num;
			else
				x->quality = num;
			break;
		case KEY_RESIZE:
			ok = mm_xform_resize_from_name(v, vlen, &x->resize);
			break;
		case KEY_GRAVITY:
			ok = mm_xform_gravity_from_name(v, vlen, &x->gravity);
			break;
		default:
			ok = mm_xform_format_from_name(v, vlen, &x->format);
			break;
	}
	if (!ok)
		return mm_errmsg(err, errlen, "invalid value \"%.*s\" for %s", (int) (vlen > 40 ? 40 : vlen), v,
						  canonical_name(key_names, key));
	return 0;
}

/* Is c a blank the text form allows around keys and values? */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The keys of the URL form (image/spec.h), letters as Cloudinary and imgix spell them. */
static const spec_name url_key_names[] = {
	{"w", KEY_W}, {"h", KEY_H}, {"c", KEY_RESIZE}, {"g", KEY_GRAVITY}, {"f", KEY_FORMAT}, {"q", KEY_Q},
	{NULL, 0}
};

/*
 * Parses pairs "key<sep>value", separated by ',' (and '&' when amp), over
 * x with the keys of table: the one loop behind the text form and the URL
 * form.  Blanks around keys and values are allowed in the text form only
 * (a URL has none).
 */
static int
parse_pairs(const char *text, size_t len, mm_xform *x, const spec_name *keys, char sep,
			int text_form, char *err, size_t errlen)
{
	size_t		i = 0;
	int			seen = 0;

	if (text == NULL)
		return mm_errmsg(err, errlen, "no spec");
	if (!text_form && len > 0 && text[len - 1] == ',')
		return mm_errmsg(err, errlen, "empty item");
	while (i < len)
	{
		size_t		end = i;
		size_t		eq;
		size_t		a = i;
		size_t		b;
		size_t		ke;
		size_t		vs;
		int			key;

		while (end < len && text[end] != ',' && !(text_form && text[end] == '&'))
			end++;
		b = end;
		while (text_form && a < b && is_blank(text[a]))
			a++;
		while (text_form && b > a && is_blank(text[b - 1]))
			b--;
		i = end + 1;
		if (a == b)
		{
			if (!text_form)
				return mm_errmsg(err, errlen, "empty item");
			continue;
		}
		for (eq = a; eq < b && text[eq] != sep; eq++)
			;
		if (eq == b)
			return mm_errmsg(err, errlen, "\"%.*s\" is not key%cvalue",
							  (int) (b - a > 40 ? 40 : b - a), text + a, sep);
		ke = eq;
		vs = eq + 1;
		while (text_form && ke > a && is_blank(text[ke - 1]))
			ke--;
		while (text_form && vs < b && is_blank(text[vs]))
			vs++;
		if (!lookup(keys, text + a, ke - a, &key))
			return mm_errmsg(err, errlen, "unknown key \"%.*s\"", (int) (ke - a > 40 ? 40 : ke - a), text + a);
		if (seen & key)
			return mm_errmsg(err, errlen, "%s is given twice", canonical_name(key_names, key));
		seen |= key;
		if (set_key(x, key, text + vs, b - vs, err, errlen) != 0)
			return -1;
	}
	if (!(seen & KEY_W) || !(seen & KEY_H))
		return mm_errmsg(err, errlen, "the spec must give w and h");
	return 0;
}

/* Parses the text form; see image/spec.h. */
int
mm_xform_parse(const char *text, size_t len, mm_xform *x, char *err, size_t errlen)
{
	return parse_pairs(text, len, x, key_names, '=', 1, err, errlen);
}

/* Parses the URL form; see image/spec.h. */
int
mm_xform_parse_url(const char *text, size_t len, mm_xform *x, char *err, size_t errlen)
{
	return parse_pairs(text, len, x, url_key_names, '_', 0, err, errlen);
}

/* Checks the ranges; see image/spec.h. */
int
mm_xform_check(const mm_xform *x, int max_box, char *err, size_t errlen)
{
	if (x->width < 1 || x->height < 1 || x->width > max_box || x->height > max_box)
		return mm_errmsg(err, errlen, "Width and height must be between 1 and %d.", max_box);
	if (x->quality < 0 || x->quality > 100)
		return mm_errmsg(err, errlen, "Quality must be between 1 and 100.");
	return 0;
}

/* Resolves format auto for an Accept value; see image/spec.h. */
int
mm_xform_negotiate(mm_xform *x, const char *accept, size_t len)
{
	if (x->format != MM_THUMB_AUTO)
		return 0;
	switch (mm_accept_image(accept, len))
	{
		case MM_ACCEPT_AVIF:
			x->format = MM_THUMB_AVIF;
			break;
		case MM_ACCEPT_WEBP:
			x->format = MM_THUMB_WEBP;
			break;
		case MM_ACCEPT_JPEG:
			x->format = MM_THUMB_JPEG;
			break;
		case MM_ACCEPT_PNG:
			x->format = MM_THUMB_PNG;
			break;
		case MM_ACCEPT_JPEG_OR_PNG:
			break;
		case MM_ACCEPT_NONE:
			return -1;
	}
	return 0;
}

/*
 * The spelling of one text form: key names, and whether gravity is
 * written when it is the default.
 */
typedef struct spec_form
{
	const char *w;
	const char *h;
	const char *resize;
	const char *gravity;
	const char *format;
	const char *q;
	int			default_gravity;
} spec_form;

static const spec_form canonical_form = {"w=", "h=", "resize=", "gravity=", "format=", "q=", 1};
static const spec_form url_form = {"w_", "h_", "c_", "g_", "f_", "q_", 0};

/*
 * Writes x in a form: w, h, resize; gravity for cover; format; q when
 * given and the format can be lossy.  Returns the length, or -1 when buf
 * is too small.
 */
static int
write_form(const mm_xform *x, const spec_form *form, char *buf, size_t buflen)
{
	char		gravity[32] = "";
	char		quality[16] = "";
	int			n;

	if (x->resize == MM_RESIZE_COVER && (form->default_gravity || x->gravity != MM_GRAVITY_CENTRE))
		snprintf(gravity, sizeof(gravity), ",%s%s", form->gravity, mm_xform_gravity_name(x->gravity));
	if (mm_xform_format_lossy(x->format) && x->quality > 0)
		snprintf(quality, sizeof(quality), ",%s%d", form->q, x->quality);
	n = snprintf(buf, buflen, "%s%d,%s%d,%s%s%s,%s%s%s", form->w, x->width, form->h, x->height,
				 form->resize, mm_xform_resize_name(x->resize), gravity,
				 form->format, mm_xform_format_name(x->format), quality);
	if (n < 0 || (size_t) n >= buflen)
		return -1;
	return n;
}

/* Writes the canonical text; see image/spec.h. */
int
mm_xform_canonical(const mm_xform *x, char *buf, size_t buflen)
{
	return write_form(x, &canonical_form, buf, buflen);
}

/* Writes the URL form; see image/spec.h. */
int
mm_xform_url_text(const mm_xform *x, char *buf, size_t buflen)
{
	return write_form(x, &url_form, buf, buflen);
}
