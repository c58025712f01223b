/*
 * probe/text_json.c - a bounded JSON validator for the text probe: is the
 * start of this text (up to MM_TEXT_PREFIX bytes) an object or array with
 * nothing wrong before the buffer ends?  Strings, numbers and literals are
 * scanned to RFC 8259's grammar; nesting is followed to JSON_MAX_DEPTH.
 */
#include "probe/text.h"

/* Nesting depth the JSON validator follows. */
#define JSON_MAX_DEPTH 512

/* JSON validator state: a bounded stack of open containers. */
typedef struct json_state
{
	const uint8_t *p;
	size_t		len;
	size_t		pos;
	int			depth;
	uint8_t		stack[JSON_MAX_DEPTH];
} json_state;

/* Result of scanning one token. */
enum
{
	JSON_BAD = 0,
	JSON_OK = 1,
	JSON_CUT = 2				/* the buffer ended inside it */
};

/* Scans a string from the opening quote at pos. */
static int
json_string(json_state *j)
{
	size_t		i = j->pos + 1;

	while (i < j->len)
	{
		uint8_t		c = j->p[i];

		if (c == '"')
		{
			j->pos = i + 1;
			return JSON_OK;
		}
		if (c < 0x20)
			return JSON_BAD;
		if (c == '\\')
		{
			int			k;

			if (i + 1 >= j->len)
				return JSON_CUT;
			c = j->p[i + 1];
			if (c == 'u')
			{
				for (k = 2; k < 6; k++)
				{
					uint8_t		h;

					if (i + k >= j->len)
						return JSON_CUT;
					h = j->p[i + k];
					if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
						return JSON_BAD;
				}
				i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || c == 0)
				return JSON_BAD;
			i += 2;
			continue;
		}
		i++;
	}
	return JSON_CUT;
}

/*
 * Scans the one or more digits a fraction or an exponent needs, from *i;
 * JSON_CUT when the buffer ends in or right after them (more may follow).
 */
static int
json_digits(const json_state *j, size_t *i)
{
	size_t		start = *i;

	while (*i < j->len && j->p[*i] >= '0' && j->p[*i] <= '9')
		(*i)++;
	if (*i >= j->len)
		return JSON_CUT;
	return *i == start ? JSON_BAD : JSON_OK;
}

/* Scans a number at pos: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_number(json_state *j)
{
	size_t		i = j->pos;
	const uint8_t *p = j->p;
	int			r;

	if (i < j->len && p[i] == '-')
		i++;
	if (i >= j->len)
		return JSON_CUT;
	if (p[i] == '0')
		i++;
	else if (p[i] >= '1' && p[i] <= '9')
	{
		while (i < j->len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	else
		return JSON_BAD;
	if (i < j->len && p[i] == '.')
	{
		i++;
		if ((r = json_digits(j, &i)) != JSON_OK)
			return r;
	}
	if (i < j->len && (p[i] == 'e' || p[i] == 'E'))
	{
		i++;
		if (i < j->len && (p[i] == '+' || p[i] == '-'))
			i++;
		if ((r = json_digits(j, &i)) != JSON_OK)
			return r;
	}
	if (i >= j->len)
		return JSON_CUT;
	j->pos = i;
	return JSON_OK;
}

/* Scans a literal (true, false, null) at pos. */
static int
json_literal(json_state *j)
{
	static const char *const lits[] = {"true", "false", "null"};
	int			k;

	for (k = 0; k < 3; k++)
	{
		size_t		n = strlen(lits[k]);
		size_t		avail = j->len - j->pos;

		if (j->p[j->pos] != (uint8_t) lits[k][0])
			continue;
		if (avail < n)
			return memcmp(j->p + j->pos, lits[k], avail) == 0 ? JSON_CUT : JSON_BAD;
		if (memcmp(j->p + j->pos, lits[k], n) != 0)
			return JSON_BAD;
		j->pos += n;
		return JSON_OK;
	}
	return JSON_BAD;
}

/*
 * Validates JSON whose top level is an object or array.  With prefix set,
 * a buffer that ends inside the document is accepted as long as nothing
 * before the end is wrong.
 */
int
mm_text_json_valid(const uint8_t *p, size_t len, int prefix)
{
	json_state	j;
	enum
	{
		J_VALUE, J_VALUE_OR_END, J_KEY, J_KEY_OR_END, J_COLON, J_AFTER
	}			expect = J_VALUE;
	size_t		steps;

	j.p = p;
	j.len = len;
	j.pos = 0;
	j.depth = 0;
	for (steps = 0; steps <= len; steps++)
	{
		uint8_t		c;
		int			r = JSON_OK;

		while (j.pos < len && mm_text_space(p[j.pos]) && p[j.pos] != '\f')
			j.pos++;
		if (j.pos >= len)
			return prefix ? steps > 0 : (j.depth == 0 && expect == J_AFTER);
		c = p[j.pos];
		if (steps == 0 && c != '{' && c != '[')
			return 0;
		switch (expect)
		{
			case J_AFTER:
				if (j.depth == 0)
					return 0;	/* something after the top-level value */
				if (c == ',')
				{
					expect = j.stack[j.depth - 1] == '{' ? J_KEY : J_VALUE;
					j.pos++;
				}
				else if ((c == '}' || c == ']') && j.stack[j.depth - 1] == (c == '}' ? '{' : '['))
				{
					j.depth--;
					j.pos++;
				}
				else
					return 0;
				break;
			case J_COLON:
				if (c != ':')
					return 0;
				j.pos++;
				expect = J_VALUE;
				break;
			case J_KEY_OR_END:
			case J_KEY:
				if (c == '}' && expect == J_KEY_OR_END)
				{
					j.depth--;
					j.pos++;
					expect = J_AFTER;
					break;
				}
				if (c != '"')
					return 0;
				r = json_string(&j);
				expect = J_COLON;
				break;
			case J_VALUE_OR_END:
				if (c == ']')
				{
					j.depth--;
					j.pos++;
					expect = J_AFTER;
					break;
				}
				/* FALLTHROUGH */
			case J_VALUE:
				if (c == '{' || c == '[')
				{
					if (j.depth >= JSON_MAX_DEPTH)
						return 0;
					j.stack[j.depth++] = c;
					j.pos++;
					expect = c == '{' ? J_KEY_OR_END : J_VALUE_OR_END;
					break;
				}
				if (c == '"')
					r = json_string(&j);
				else if (c == '-' || (c >= '0' && c <= '9'))
					r = json_number(&j);
				else
					r = json_literal(&j);
				expect = J_AFTER;
				break;
		}
		if (r == JSON_BAD)
			return 0;
		if (r == JSON_CUT)
			return prefix;
	}
	return 0;
}
