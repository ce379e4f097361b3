//! Making a pair's missing files: its code (WeChat's or a local QR code) and its poster, drawn on
//! the poster threads and recorded with its fingerprint.

use std::path::PathBuf;

use super::files::{read_local, write_atomic};
use super::lock::lock_pair;
use super::state::{fingerprint_of, read_state, shown_phone, state_path, PairState};
use super::worker::{on_poster_thread, renders};
use super::{code, code_path, font, poster_path, render, safe_relative, PairFile, Posters};
use crate::store::{self, poster::PairInputs};

/// Largest local avatar drawn.
pub(super) const MAX_AVATAR_BYTES: u64 = 5 * 1024 * 1024;

/// Largest decoded image accepted (avatar or code): a small file can decode to a huge bitmap.
const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;
const MAX_SIDE: u32 = 8192;

/// Decodes a PNG or JPEG within [`MAX_DECODED_BYTES`] and [`MAX_SIDE`]; `None` otherwise.
fn decode_bounded(bytes: &[u8]) -> Option<image::DynamicImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    reader.decode().ok()
}

/// Makes the pair's file if it is not on disk (another request may have made it while this one
/// waited for the pair's lock) and returns its absolute path; `None` when the pair is not bound.
pub async fn ensure_file(
    posters: &Posters,
    kind: PairFile,
    uid: i64,
    cid: i64,
) -> anyhow::Result<Option<PathBuf>> {
    let _pair = lock_pair(posters, uid, cid).await;
    let dir = &posters.data_dir;
    let rel = match kind {
        PairFile::Code => code_path(uid, cid),
        PairFile::Poster => poster_path(uid, cid),
    };
    let path = dir.join(&rel);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(Some(path));
    }
    let db = posters.db.get().await?;
    let Some(inputs) = store::poster::pair_inputs(&db, uid, cid).await? else {
        return Ok(None); // not bound, or the radar user was deleted
    };
    drop(db);
    match kind {
        PairFile::Code => {
            make_code(posters, &inputs, uid, cid).await?;
        }
        PairFile::Poster => render_poster(posters, inputs, uid, cid).await?,
    }
    Ok(Some(path))
}

/// Draws the pair's poster (making our code first when the pair has none on disk) and records
/// it with its fingerprint.
async fn render_poster(
    posters: &Posters,
    inputs: PairInputs,
    uid: i64,
    cid: i64,
) -> anyhow::Result<()> {
    let dir = &posters.data_dir;
    let code_rel = match existing_code(posters, &inputs, uid, cid).await {
        Some(rel) => rel,
        None => make_code(posters, &inputs, uid, cid).await?,
    };
    let permit = renders().acquire().await?;
    let avatar = read_local(dir, &inputs.avatar, MAX_AVATAR_BYTES).await;
    let code = read_local(dir, &code_rel, MAX_AVATAR_BYTES).await;
    let font = on_poster_thread(font::get).await?;
    let phone = shown_phone(&inputs);
    let fingerprint = fingerprint_of(&inputs, &phone, avatar.as_deref(), code.as_deref(), font);
    let (name, position, company) = (inputs.username, inputs.position, inputs.company);
    let png = on_poster_thread(move || {
        let decode = |b: Option<Vec<u8>>| b.as_deref().and_then(decode_bounded);
        let card = render::Card {
            name: &name,
            position: &position,
            company: &company,
            phone: &phone,
        };
        render::render(&card, decode(avatar).as_ref(), decode(code).as_ref(), font)
    })
    .await??;
    drop(permit);
    let poster_rel = poster_path(uid, cid);
    let saved = read_state(posters, uid, cid).await;
    let new_state = PairState {
        fingerprint,
        code: saved.code,
    };
    write_atomic(
        &dir.join(state_path(uid, cid)),
        &serde_json::to_vec(&new_state)?,
    )
    .await?;
    write_atomic(&dir.join(&poster_rel), &png).await?;
    if inputs.poster_url.as_deref() != Some(poster_rel.as_str()) {
        let db = posters.db.get().await?;
        store::poster::set_poster_url(&db, uid, cid, &poster_rel).await?;
    }
    tracing::debug!(uid, cid, "poster rendered");
    Ok(())
}

/// The code the poster shows when it is on disk: the binding's `qr_code` (ours or one an older
/// system made), else ours.
pub(super) async fn existing_code(
    posters: &Posters,
    inputs: &PairInputs,
    uid: i64,
    cid: i64,
) -> Option<String> {
    let dir = &posters.data_dir;
    let ours = code_path(uid, cid);
    let recorded = inputs.qr_code.as_deref().filter(|r| safe_relative(r));
    for rel in recorded.into_iter().chain([ours.as_str()]) {
        if tokio::fs::try_exists(dir.join(rel)).await.unwrap_or(false) {
            return Some(rel.to_owned());
        }
    }
    None
}

/// Makes our code for the pair (WeChat's, else a local QR code), records where it came from in the
/// pair's state, and points the binding at it unless it names another code; returns its path.
async fn make_code(
    posters: &Posters,
    inputs: &PairInputs,
    uid: i64,
    cid: i64,
) -> anyhow::Result<String> {
    let dir = &posters.data_dir;
    let ours = code_path(uid, cid);
    let (bytes, source) = code::pair_code(posters, inputs, uid, cid).await?;
    let mut saved = read_state(posters, uid, cid).await;
    saved.code = Some(source.as_str().to_owned());
    write_atomic(
        &dir.join(state_path(uid, cid)),
        &serde_json::to_vec(&saved)?,
    )
    .await?;
    write_atomic(&dir.join(&ours), &bytes).await?;
    // A binding that names another code on disk keeps it (the poster shows that one).
    let recorded = inputs.qr_code.as_deref();
    let elsewhere = match recorded.filter(|r| *r != ours && safe_relative(r)) {
        Some(r) => tokio::fs::try_exists(dir.join(r)).await.unwrap_or(false),
        None => false,
    };
    if recorded != Some(ours.as_str()) && !elsewhere {
        let db = posters.db.get().await?;
        store::poster::set_qr_code(&db, uid, cid, &ours).await?;
    }
    Ok(ours)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // unwrap: a failing setup should fail the test loudly
mod tests {
    use super::*;

    #[test]
    fn huge_images_are_not_decoded() {
        let mut png = Vec::new();
        // A 9000×1 PNG: tiny file, over the side limit.
        image::DynamicImage::ImageLuma8(image::GrayImage::new(9000, 1))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(decode_bounded(&png).is_none());
        let small = render::encode_png(&image::DynamicImage::ImageLuma8(image::GrayImage::new(
            4, 4,
        )))
        .unwrap();
        assert!(decode_bounded(&small).is_some());
        assert!(decode_bounded(b"not an image").is_none());
    }
}
