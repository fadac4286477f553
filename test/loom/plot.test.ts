import { deflateSync } from 'node:zlib';
import { riskCoverageCurve, type QuestionRecord } from '../../src/loom/metrics';
import { COLORS, niceRiskMax, plotRiskCoverage, Raster, riskCoverageFrame } from '../../src/loom/plot';
import { crc32, decodePng, encodePng, PNG_SIGNATURE, PngFormatError } from '../../src/loom/png';

describe('PNG encoder', () => {
  test('crc32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082); // the constant every PNG ends with
  });

  test('a 2×2 image has the right chunks, CRCs and pixels', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = encodePng(2, 2, rgb);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // IHDR: length 13, 2×2, 8-bit truecolour
    expect(png.readUInt32BE(8)).toBe(13);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([2, 2, 8, 2]);
    expect(png.subarray(png.length - 12).toString('hex')).toBe('0000000049454e44ae426082');
    const back = decodePng(png);
    expect(back).toMatchObject({ width: 2, height: 2 });
    expect([...back.rgb]).toEqual([...rgb]);
  });

  test('the reader rejects corrupt files', () => {
    const png = encodePng(1, 1, new Uint8Array([1, 2, 3]));
    const flipped = Buffer.from(png);
    flipped[45] ^= 0xff; // inside IDAT's data
    expect(() => decodePng(flipped)).toThrow(/CRC mismatch in IDAT/);
    expect(() => decodePng(png.subarray(0, png.length - 12))).toThrow(/no IEND/);
    expect(() => decodePng(Buffer.from('GIF89a..'))).toThrow(PngFormatError);
  });

  test('the reader undoes every PNG filter (checked against a hand-filtered Sub/Up row)', () => {
    // 2×2, row 0 with filter 1 (Sub), row 1 with filter 2 (Up)
    const raw = Buffer.from([1, 10, 20, 30, 5, 5, 5, 2, 1, 1, 1, 2, 2, 2]);
    const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    const chunk = (type: string, data: Buffer): Buffer => {
      const b = Buffer.alloc(12 + data.length);
      b.writeUInt32BE(data.length, 0);
      b.write(type, 4, 'ascii');
      data.copy(b, 8);
      b.writeUInt32BE(crc32(b, 4, 8 + data.length), 8 + data.length);
      return b;
    };
    const png = Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
    expect([...decodePng(png).rgb]).toEqual([10, 20, 30, 15, 25, 35, 11, 21, 31, 17, 27, 37]);
  });

  test('size checks', () => {
    expect(() => encodePng(0, 1, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(/expected 12 RGB bytes/);
  });
});

describe('raster', () => {
  test('lines and text put pixels where asked', () => {
    const r = new Raster(20, 12);
    r.line(0, 0, 19, 0, COLORS.axis);
    expect(r.getPixel(10, 0)).toEqual(COLORS.axis);
    expect(r.getPixel(10, 1)).toEqual(COLORS.background);
    const w = r.text(0, 3, 'I', COLORS.text, 1);
    expect(w).toBe(6);
    expect(r.getPixel(2, 4)).toEqual(COLORS.text); // the stem of I
    expect(r.getPixel(0, 4)).toEqual(COLORS.background);
  });
});

describe('risk-coverage plot', () => {
  const records: QuestionRecord[] = Array.from({ length: 40 }, (_, i) => ({
    pass1Correct: i % 3 !== 0,
    refused: i % 4 === 0,
    confidence: (i * 37) % 41,
  }));

  test('decodes as a 640×480 RGB image with the curve and base line drawn at their values', () => {
    const curve = riskCoverageCurve(records);
    const baseRisk = records.filter((r) => !r.pass1Correct).length / records.length;
    const png = plotRiskCoverage({ curve, baseRisk, operatingPoint: { coverage: 0.75, risk: 0.2 } });
    const img = decodePng(png);
    expect(img).toMatchObject({ width: 640, height: 480 });
    const at = (x: number, y: number): number[] => {
      const i = (Math.round(y) * img.width + Math.round(x)) * 3;
      return [img.rgb[i], img.rgb[i + 1], img.rgb[i + 2]];
    };
    const frame = riskCoverageFrame(640, 480, niceRiskMax(Math.max(baseRisk, ...curve.map((p) => p.risk))));
    // the curve's last point (full coverage, risk = base risk) is drawn in the sidecar colour
    const last = curve[curve.length - 1];
    expect(at(frame.px(last.coverage) - 1, frame.py(last.risk))).toEqual([...COLORS.sidecar]);
    // the operating point is a green square
    expect(at(frame.px(0.75), frame.py(0.2))).toEqual([...COLORS.point]);
    // the base line is dashed red across the plot at its risk
    const redAlongBase = Array.from({ length: 200 }, (_, k) => at(frame.px(0.3) + k, frame.py(baseRisk))).filter(
      (p) => p.join() === COLORS.base.join(),
    ).length;
    expect(redAlongBase).toBeGreaterThan(60);
    // the x axis is drawn
    expect(at(frame.px(0.5), frame.bottom)).toEqual([...COLORS.axis]);
  });

  test('niceRiskMax picks a readable scale', () => {
    expect(niceRiskMax(0.05)).toBe(0.1);
    expect(niceRiskMax(0.33)).toBe(0.5);
    expect(niceRiskMax(0.9)).toBe(1);
  });
});
