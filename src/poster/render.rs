//! Draws a pair's poster as a PNG, in pure Rust: a coloured header with the round card avatar, the
//! owner's name and position, then the company, the phone and the pair's code with a caption.
//! Text needs a font (`font`); without one the poster is drawn without text. CPU-bound: run it on
//! a blocking thread.

use std::io::Cursor;

use ab_glyph::{point, Font as _, PxScale, ScaleFont as _};
use image::{imageops::FilterType, DynamicImage, ImageFormat, Rgb, RgbImage, RgbaImage};

use super::font::PosterFont;

/// Poster size in pixels.
pub const WIDTH: u32 = 750;
pub const HEIGHT: u32 = 1200;

const HEADER: u32 = 460;
const TOP: [f32; 3] = [36.0, 99.0, 235.0];
const BOTTOM: [f32; 3] = [88.0, 146.0, 252.0];
const AVATAR: u32 = 176;
const AVATAR_CENTER: (f32, f32) = (375.0, 170.0);
const CODE: u32 = 320;
const CODE_TOP: u32 = 680;
const TEXT_MAX: f32 = 660.0;

/// The words on a poster.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    pub name: &'a str,
    pub position: &'a str,
    pub company: &'a str,
    pub phone: &'a str,
}

/// Renders the poster PNG. `avatar` and `code` are drawn when given.
pub fn render(
    card: &Card<'_>,
    avatar: Option<&DynamicImage>,
    code: Option<&DynamicImage>,
    font: Option<&PosterFont>,
) -> anyhow::Result<Vec<u8>> {
    let mut canvas = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([255, 255, 255]));
    for y in 0..HEADER {
        let t = y as f32 / HEADER as f32;
        let c = |i: usize| (TOP[i] + (BOTTOM[i] - TOP[i]) * t) as u8;
        for x in 0..WIDTH {
            canvas.put_pixel(x, y, Rgb([c(0), c(1), c(2)]));
        }
    }
    let (cx, cy) = AVATAR_CENTER;
    disc(
        &mut canvas,
        cx,
        cy,
        AVATAR as f32 / 2.0 + 6.0,
        [255, 255, 255],
    );
    match avatar {
        Some(img) => round_image(&mut canvas, img, cx, cy),
        None => disc(&mut canvas, cx, cy, AVATAR as f32 / 2.0, [200, 215, 245]),
    }
    if let Some(code) = code {
        let code = code
            .resize_exact(CODE, CODE, FilterType::Triangle)
            .to_rgba8();
        overlay(&mut canvas, &code, (WIDTH - CODE) / 2, CODE_TOP);
    }
    if let Some(font) = font {
        if avatar.is_none() {
            let initial: String = card.name.chars().take(1).collect();
            text(
                &mut canvas,
                font,
                &initial,
                80.0,
                cy + 28.0,
                [255, 255, 255],
            );
        }
        text(&mut canvas, font, card.name, 52.0, 335.0, [255, 255, 255]);
        text(
            &mut canvas,
            font,
            card.position,
            30.0,
            392.0,
            [225, 235, 255],
        );
        text(&mut canvas, font, card.company, 34.0, 530.0, [40, 40, 40]);
        if !card.phone.is_empty() {
            let label = if font.cjk { "电话" } else { "Tel" };
            let phone = format!("{label} {}", card.phone);
            text(&mut canvas, font, &phone, 30.0, 585.0, [100, 100, 100]);
        }
        let caption = if font.cjk {
            "长按识别小程序码，查看我的名片"
        } else {
            "Scan the code to open my card"
        };
        text(&mut canvas, font, caption, 26.0, 1065.0, [150, 150, 150]);
    }
    for x in 60..WIDTH - 60 {
        canvas.put_pixel(x, 635, Rgb([230, 230, 230]));
    }
    encode_png(&DynamicImage::ImageRgb8(canvas))
}

/// PNG bytes of `img`.
pub fn encode_png(img: &DynamicImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?;
    Ok(out)
}

/// Mixes `color` into the pixel at (x, y) with `coverage` in 0..=1 (off-canvas is ignored).
fn blend(canvas: &mut RgbImage, x: i64, y: i64, color: [u8; 3], coverage: f32) {
    let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
        return;
    };
    if x >= canvas.width() || y >= canvas.height() || coverage <= 0.0 {
        return;
    }
    let a = coverage.min(1.0);
    let px = canvas.get_pixel_mut(x, y);
    for (c, new) in px.0.iter_mut().zip(color) {
        *c = (f32::from(*c) * (1.0 - a) + f32::from(new) * a).round() as u8;
    }
}

/// Antialiased coverage of a pixel by a circle of radius `r` around (cx, cy).
fn circle_coverage(x: u32, y: u32, cx: f32, cy: f32, r: f32) -> f32 {
    let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
    (r + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0)
}

fn disc(canvas: &mut RgbImage, cx: f32, cy: f32, r: f32, color: [u8; 3]) {
    let (x0, y0) = (
        (cx - r - 1.0).max(0.0) as u32,
        (cy - r - 1.0).max(0.0) as u32,
    );
    for y in y0..=(cy + r + 1.0) as u32 {
        for x in x0..=(cx + r + 1.0) as u32 {
            let cov = circle_coverage(x, y, cx, cy, r);
            blend(canvas, i64::from(x), i64::from(y), color, cov);
        }
    }
}

/// Draws `img` cropped to a centred square, scaled to `AVATAR` and masked to a circle.
fn round_image(canvas: &mut RgbImage, img: &DynamicImage, cx: f32, cy: f32) {
    let side = img.width().min(img.height()).max(1);
    let square = img.crop_imm(
        (img.width() - side) / 2,
        (img.height() - side) / 2,
        side,
        side,
    );
    let small = square
        .resize_exact(AVATAR, AVATAR, FilterType::Triangle)
        .to_rgba8();
    let r = AVATAR as f32 / 2.0;
    let (left, top) = (cx - r, cy - r);
    for (x, y, px) in small.enumerate_pixels() {
        let cov = circle_coverage(x, y, r, r, r) * f32::from(px.0[3]) / 255.0;
        let at = (left as i64 + i64::from(x), top as i64 + i64::from(y));
        blend(canvas, at.0, at.1, [px.0[0], px.0[1], px.0[2]], cov);
    }
}

/// Draws `img` (with its alpha) with its top-left corner at (x, y).
fn overlay(canvas: &mut RgbImage, img: &RgbaImage, x: u32, y: u32) {
    for (ix, iy, px) in img.enumerate_pixels() {
        let cov = f32::from(px.0[3]) / 255.0;
        let at = (i64::from(x + ix), i64::from(y + iy));
        blend(canvas, at.0, at.1, [px.0[0], px.0[1], px.0[2]], cov);
    }
}

/// Draws one line of `s` centred on the canvas with its baseline at `baseline`. Characters the
/// font lacks are skipped; a line too wide is shrunk (down to 70 %) and then cut with `…`.
fn text(canvas: &mut RgbImage, font: &PosterFont, s: &str, px: f32, baseline: f32, color: [u8; 3]) {
    let chars: Vec<char> = s
        .chars()
        .filter(|c| !c.is_control() && font.font.glyph_id(*c).0 != 0)
        .collect();
    if chars.is_empty() {
        return;
    }
    let mut size = px;
    while width(font, &chars, size) > TEXT_MAX && size > px * 0.7 {
        size -= 1.0;
    }
    let mut shown = chars.clone();
    let ellipsis = if font.font.glyph_id('…').0 != 0 {
        '…'
    } else {
        '.'
    };
    while width(font, &shown, size) > TEXT_MAX && shown.len() > 1 {
        shown.truncate(shown.len() - 2);
        shown.push(ellipsis);
    }
    let scaled = font.font.as_scaled(PxScale::from(size));
    let mut x = (WIDTH as f32 - width(font, &shown, size)) / 2.0;
    let mut prev = None;
    for c in shown {
        let id = font.font.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, point(x, baseline));
        if let Some(outline) = font.font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                let at = (
                    b.min.x as i64 + i64::from(gx),
                    b.min.y as i64 + i64::from(gy),
                );
                blend(canvas, at.0, at.1, color, cov);
            });
        }
        x += scaled.h_advance(id);
        prev = Some(id);
    }
}

fn width(font: &PosterFont, chars: &[char], size: f32) -> f32 {
    let scaled = font.font.as_scaled(PxScale::from(size));
    let mut w = 0.0;
    let mut prev = None;
    for c in chars {
        let id = font.font.glyph_id(*c);
        if let Some(p) = prev {
            w += scaled.kern(p, id);
        }
        w += scaled.h_advance(id);
        prev = Some(id);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: Card<'static> = Card {
        name: "张三 Zhang",
        position: "经理",
        company: "甲公司",
        phone: "13900000000",
    };

    #[test]
    fn a_poster_renders_without_a_font_avatar_or_code() {
        let png = render(&CARD, None, None, None).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
    }

    #[test]
    fn a_poster_draws_the_code_and_the_avatar_where_they_belong() {
        let code = DynamicImage::ImageRgb8(RgbImage::from_pixel(10, 10, Rgb([0, 0, 0])));
        let avatar = DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 30, Rgb([255, 0, 0])));
        let png = render(&CARD, Some(&avatar), Some(&code), super::super::font::get()).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(img.get_pixel(WIDTH / 2, CODE_TOP + CODE / 2).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(375, 170).0, [255, 0, 0]);
        assert_eq!(img.get_pixel(5, HEIGHT - 5).0, [255, 255, 255]);
    }
}
