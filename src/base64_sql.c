/*
 * base64_sql.c - media.decode_base64() and media.encode_base64().
 */
#include "pg_media.h"

#include "utils/builtins.h"

#include "util/base64.h"

PG_FUNCTION_INFO_V1(media_decode_base64);
PG_FUNCTION_INFO_V1(media_encode_base64);

/*
 * Decodes base64 text into a new bytea, or raises 22P03 naming the offset
 * of the first bad byte.
 */
bytea *
media_base64_decode(const char *src, size_t len)
{
	size_t		max = mm_base64_decoded_max(len);
	size_t		outlen = 0;
	size_t		err_offset = 0;
	bytea	   *result;
	mm_b64_status status;

	media_check_value_size(max, "decoding base64",
						   "Send large files in parts with media.upload_append().");
	result = (bytea *) palloc(max + VARHDRSZ);
	status = mm_base64_decode(src, len, (uint8_t *) VARDATA(result), &outlen, &err_offset);
	if (status != MM_B64_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid base64 input at offset %zu: %s",
						err_offset, mm_base64_status_text(status)),
				 errdetail("Base64 is letters, digits and \"+/\" (or \"-_\"), with optional \"=\" padding, whitespace, and an optional \"data:<type>;base64,\" prefix.")));
	SET_VARSIZE(result, outlen + VARHDRSZ);
	return result;
}

/* media.decode_base64(text) RETURNS bytea */
Datum
media_decode_base64(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BYTEA_P(media_base64_decode(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in)));
}

/* media.encode_base64(bytea [, url_safe boolean, padded boolean]) RETURNS text */
Datum
media_encode_base64(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	bool		url_safe = PG_NARGS() > 1 ? PG_GETARG_BOOL(1) : false;
	bool		padded = PG_NARGS() > 2 ? PG_GETARG_BOOL(2) : true;
	size_t		n = VARSIZE_ANY_EXHDR(in);
	size_t		len = mm_base64_encoded_len(n, padded);
	text	   *result;

	media_check_value_size(len, "encoding as base64",
						   "Encode the file in parts, for example over media.parts().");
	result = (text *) palloc(len + VARHDRSZ);
	mm_base64_encode((const uint8_t *) VARDATA_ANY(in), n, VARDATA(result), url_safe, padded);
	SET_VARSIZE(result, len + VARHDRSZ);
	PG_RETURN_TEXT_P(result);
}
