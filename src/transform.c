/*
 * transform.c - what ingest may change in an upload's bytes before they
 * are stored: location data removed from photos (media.strip_location) and,
 * when asked, JPEGs re-encoded losslessly (media.optimize_jpeg).  Both keep
 * the decoded pixels identical, and both are recorded in the file's attrs.
 */
#include "pg_media.h"

#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "image/image.h"
#include "image/strip.h"

/* Can content of this MIME type be changed by media_transform()? */
bool
media_may_transform(const char *mime)
{
	bool		jpeg = strcmp(mime, "image/jpeg") == 0;

	if (media_strip_location &&
		(jpeg || strcmp(mime, "image/png") == 0 || strcmp(mime, "image/webp") == 0))
		return true;
	return jpeg && media_optimize_jpeg != MEDIA_OPTIMIZE_OFF;
}

/* attrs with "key": "value" added (attrs may be NULL: then {}). */
Jsonb *
media_attrs_add(Jsonb *attrs, const char *key, const char *value)
{
	StringInfoData buf;
	Datum		addition;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	escape_json(&buf, key);
	appendStringInfoChar(&buf, ':');
	escape_json(&buf, value);
	appendStringInfoChar(&buf, '}');
	addition = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	if (attrs == NULL)
		return DatumGetJsonbP(addition);
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(attrs), addition));
}

/*
 * Re-encodes a JPEG losslessly with optimized Huffman tables (progressive
 * when so configured).  Returns the new bytes, or NULL when that saved
 * nothing or the JPEG could not be re-encoded (it is then stored as it
 * came: optimization is an optional saving, never a reason to refuse).
 */
static char *
optimize_jpeg(const char *data, int64 *len, Jsonb **attrs)
{
	mm_alloc	alloc;
	mm_limits	lim;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	int			optimized = 0;
	char		err[256];
	int64		before = *len;

	/* the result is returned in the current context; a cancel just skips the saving */
	media_image_limits(&lim, &alloc, CurrentMemoryContext);
	if (mm_jpeg_optimize((const uint8_t *) data, (size_t) *len,
						 media_optimize_jpeg == MEDIA_OPTIMIZE_PROGRESSIVE, &lim,
						 &out, &out_len, &optimized, err, sizeof(err)) != MM_IMG_OK || !optimized)
	{
		if (out)
			pfree(out);
		return NULL;
	}
	*len = (int64) out_len;
	*attrs = media_attrs_add(*attrs, "jpeg_optimized",
							 media_optimize_jpeg == MEDIA_OPTIMIZE_PROGRESSIVE ? "progressive" : "huffman");
	*attrs = media_attrs_add(*attrs, "original_size", psprintf(INT64_FORMAT, before));
	return (char *) out;
}

/*
 * Applies the ingest transforms to content held in memory.  Returns the
 * bytes to store (data itself when nothing changed) and updates *len;
 * records what was done in *attrs.
 */
const char *
media_transform(const char *data, int64 *len, const mm_probe *probe, Jsonb **attrs)
{
	const char *result = data;

	if (!media_may_transform(probe->mime))
		return data;

	if (media_strip_location)
	{
		uint8	   *copy = (uint8 *) palloc(Max(*len, 1));

		memcpy(copy, data, *len);
		if (mm_strip_location(copy, (size_t) *len) > 0)
		{
			*attrs = media_attrs_add(*attrs, "location_removed", "exif_gps");
			result = (const char *) copy;
		}
		else
			pfree(copy);
	}
	if (strcmp(probe->mime, "image/jpeg") == 0 && media_optimize_jpeg != MEDIA_OPTIMIZE_OFF)
	{
		char	   *smaller = optimize_jpeg(result, len, attrs);

		if (smaller != NULL)
			result = smaller;
	}
	return result;
}
