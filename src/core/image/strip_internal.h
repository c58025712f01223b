/*
 * image/strip_internal.h - what the location-removal files share: the
 * editors of one TIFF structure (EXIF block or TIFF file), of one XMP
 * packet, and of PNG text chunks.  Each edits bytes in place, never
 * changes a length, reads only inside the block it is given, and returns
 * the MM_STRIP_* flags of what it removed.
 */
#ifndef MM_IMAGE_STRIP_INTERNAL_H
#define MM_IMAGE_STRIP_INTERNAL_H

#include "image/strip.h"

/* Removes every GPS IFD pointer (and its data) and XMP GPS of a TIFF structure. */
int			mm_strip_tiff(uint8_t *p, size_t len);

/* Blanks every GPS property (element or attribute) of an XMP packet with spaces. */
int			mm_strip_xmp(uint8_t *p, size_t len);

/* Removes location from one PNG tEXt, zTXt or iTXt chunk's data (type at type). */
int			mm_strip_png_text(uint8_t *type, uint8_t *data, size_t len);

/* Length of an "Exif\0" + one byte prefix at p (0 when absent). */
size_t		mm_exif_prefix_len(const uint8_t *p, size_t len);

/* Is p[0..len) an XMP packet's namespace header ("http://ns.adobe.com/xap/1.0/\0")? */
size_t		mm_xmp_prefix_len(const uint8_t *p, size_t len);

#endif
