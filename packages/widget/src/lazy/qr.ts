/** Loaded only when the customer asks to continue on another device. */
import qrcode from 'qrcode-generator';

export function qrSvg(text: string): string {
  // Medium error correction survives a phone camera at an angle; type 0 picks the smallest size.
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
}
