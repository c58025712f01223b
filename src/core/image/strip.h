/*
 * image/strip.h - removing location data from image metadata, in place.
 *
 * Phones write the GPS position into the EXIF block of every photo, and
 * editors copy it into XMP; served as is, a photo publishes where it was
 * taken.  mm_strip_location() removes it from every place it is known to
 * survive: the GPS IFD of EXIF (pointed to from IFD0, the Exif IFD, IFD1 or
 * any IFD of a TIFF file) in JPEG APP1, PNG eXIf, WebP EXIF and TIFF files;
 * GPS properties of XMP packets (JPEG APP1, PNG iTXt, WebP "XMP ", TIFF tag
 * 700); and ImageMagick's "Raw profile type exif/APP1/xmp" PNG text chunks.
 * It changes only metadata bytes and never the file's length, so the
 * compressed image data and its pixels stay identical and no offset
 * elsewhere in the file moves.  That also lets it run on the first window
 * of a file being uploaded: metadata is near the start.
 */
#ifndef MM_IMAGE_STRIP_H
#define MM_IMAGE_STRIP_H

#include <stddef.h>
#include <stdint.h>

/* What mm_strip_location() removed (flags). */
#define MM_STRIP_EXIF_GPS			1	/* a GPS IFD of an EXIF block or TIFF file */
#define MM_STRIP_XMP_GPS			2	/* GPS properties of an XMP packet */
#define MM_STRIP_PNG_RAW_PROFILE	4	/* location in a PNG "Raw profile type" text chunk */

/*
 * Removes location data from the JPEG, PNG, WebP or TIFF file whose first
 * len bytes are in buf (the whole file, or a leading window of it:
 * metadata that reaches past buf + len is left alone).  Each GPS pointer
 * entry leaves its IFD and the GPS IFD and its values are zeroed; XMP GPS
 * properties become spaces; PNG chunks edited get their CRC recomputed.
 * Returns the MM_STRIP_* flags of what was removed (0 when there was no
 * location, or the format is none of the four); malformed metadata is left
 * alone.  Running it again on its own output returns 0.
 */
int			mm_strip_location(uint8_t *buf, size_t len);

#endif
