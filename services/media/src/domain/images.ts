// Images: decoded, turned upright, stored again without metadata (EXIF, GPS, XMP), and a WebP thumbnail.
import { BadRequest } from '@chat/kit';
import { THUMBNAIL_SIZE } from '@chat/kit/contract';
import sharp from 'sharp';

const formats = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
} as const;

/** The image types that are decoded (and served inline); other images are files like any other. */
export function isDecodedImage(mime: string): mime is keyof typeof formats {
  return mime in formats;
}

/** Whether a type is shown in the page rather than offered as a download. */
export function isInline(mime: string): boolean {
  return isDecodedImage(mime) || mime.startsWith('audio/') || mime.startsWith('video/');
}

export type CleanImage = { data: Buffer; width: number; height: number; thumbnail: Buffer };

export async function cleanImage(input: Buffer, mime: keyof typeof formats = 'image/jpeg'): Promise<CleanImage> {
  const animated = mime === 'image/gif' || mime === 'image/webp';
  try {
    // sharp writes no metadata unless asked to; rotate() applies the EXIF orientation before it is dropped
    const { data, info } = await sharp(input, { animated, failOn: 'error' })
      .rotate()
      .toFormat(formats[mime])
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(input, { failOn: 'error' })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { data, width: info.width, height: info.pageHeight ?? info.height, thumbnail };
  } catch {
    throw new BadRequest('The image cannot be decoded', [{ path: 'file', message: 'is not a readable image' }]);
  }
}
