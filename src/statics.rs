//! The pictures Radar's own rows point at under `storage.data_dir/statics`: the legacy default
//! avatars every new customer, case and admin row starts with (schema defaults
//! `statics/imgs/Avator.jpg`, `statics/imgs/setAvator.jpg`) and the demo's pictures. Missing ones are
//! drawn at start (plain gradients; the repository holds no binary assets), so none of those URLs
//! answers 404. Files already there are never touched: an operator may replace them.

use std::path::Path;

use image::{codecs::jpeg::JpegEncoder, Rgb, RgbImage};

use crate::poster::files::{safe_relative, write_atomic};

/// The schema's default avatars (customers and cases; admins and radar users).
pub const DEFAULT_AVATARS: [&str; 2] = ["statics/imgs/Avator.jpg", "statics/imgs/setAvator.jpg"];

/// Writes each of `files` (relative `statics/….jpg` paths) that does not exist yet under
/// `data_dir`; returns how many it wrote.
pub async fn ensure(data_dir: &Path, files: &[&str]) -> anyhow::Result<usize> {
    let mut written = 0;
    for rel in files {
        anyhow::ensure!(safe_relative(rel), "not a statics path: {rel}");
        let path = data_dir.join(rel);
        if tokio::fs::try_exists(&path).await? {
            continue;
        }
        write_atomic(&path, &picture(rel)?).await?;
        written += 1;
    }
    Ok(written)
}

/// A JPEG for `rel`: a square with a head-and-shoulders figure for avatars, else a 16:9 gradient.
/// Colours come from the name, so each picture differs and stays the same across starts.
fn picture(rel: &str) -> anyhow::Result<Vec<u8>> {
    let seed = rel.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let [r, g, b, _] = seed.to_le_bytes();
    let (top, bottom) = (
        [r / 2 + 96, g / 2 + 96, b / 2 + 96],
        [r / 3, g / 3, b / 3 + 40],
    );
    let avatar = rel.to_ascii_lowercase().contains("avat");
    let (w, h) = if avatar { (240, 240) } else { (640, 360) };
    let img = RgbImage::from_fn(w, h, |x, y| {
        if avatar && in_figure(x as f32 / w as f32, y as f32 / h as f32) {
            return Rgb([236, 236, 240]);
        }
        let t = y as f32 / h as f32;
        Rgb(std::array::from_fn(|i| {
            (f32::from(top[i]) * (1.0 - t) + f32::from(bottom[i]) * t) as u8
        }))
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80).encode_image(&img)?;
    Ok(jpeg)
}

/// Whether the point (in unit coordinates) lies in the head (a circle) or the shoulders (a half ellipse).
fn in_figure(x: f32, y: f32) -> bool {
    let head = (x - 0.5).powi(2) + (y - 0.38).powi(2) < 0.17_f32.powi(2);
    let shoulders = y > 0.62 && ((x - 0.5) / 0.34).powi(2) + ((y - 1.0) / 0.38).powi(2) < 1.0;
    head || shoulders
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

    #[tokio::test]
    async fn missing_pictures_are_drawn_once_and_existing_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("statics/imgs/setAvator.jpg");
        std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
        std::fs::write(&mine, b"operator's own").unwrap();

        let first = ensure(dir.path(), &DEFAULT_AVATARS).await.unwrap();
        let again = ensure(dir.path(), &DEFAULT_AVATARS).await.unwrap();

        assert_eq!((first, again), (1, 0));
        assert_eq!(std::fs::read(&mine).unwrap(), b"operator's own");
        let drawn = std::fs::read(dir.path().join(DEFAULT_AVATARS[0])).unwrap();
        let img = image::load_from_memory(&drawn).unwrap();
        assert_eq!((img.width(), img.height()), (240, 240));
    }

    #[tokio::test]
    async fn paths_outside_statics_are_refused() {
        let dir = tempfile::tempdir().unwrap();

        assert!(ensure(dir.path(), &["statics/../x.jpg"]).await.is_err());
        assert!(ensure(dir.path(), &["/etc/x.jpg"]).await.is_err());
    }
}
