/*
 * image/strip.h - removing location data from image metadata, in place.
 *
 * Phones write the GPS position into the EXIF block of every photo; served
 * as is, a photo publishes where it was taken.  mm_strip_location() removes
 * the GPS IFD from the EXIF of a JPEG (APP1), PNG (eXIf) or WebP (EXIF
 * chunk) held in memory.  It changes only metadata bytes and never the
 * file's length, so the compressed image data and its pixels stay
 * identical and no offset elsewhere in the file moves.
 */
#ifndef MM_IMAGE_STRIP_H
#define MM_IMAGE_STRIP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Removes the GPS IFD (tag 0x8825) from every EXIF block of the image in
 * buf[0..len): the pointer entry leaves IFD0 and the GPS IFD and the values
 * it points to are zeroed.  For PNG the eXIf chunk's CRC is recomputed.
 * Returns the number of GPS entries removed (0 when there was no location,
 * or the format is not one of the three); malformed metadata is left alone.
 */
int			mm_strip_location(uint8_t *buf, size_t len);

#endif
