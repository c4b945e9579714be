//! Pictures the window draws: contact photos (`avatar.rs`), previews of
//! pictures sent and received (`conversation/preview.rs`) and pasted ones
//! (`conversation/paste.rs`).
//!
//! Decoding is bounded before any pixel is allocated: the bytes read, the
//! declared width and height, and the memory the decoder may take. Only the
//! formats a chat shows are built in (PNG, JPEG, GIF's first frame, WebP).
//! Every function here blocks: callers run it off the UI thread
//! ([`off_thread`]).

use iced::widget::image::Handle;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbaImage};
use std::io::{Cursor, Read};
use std::path::Path;

/// Most memory one decoder may allocate, in bytes.
pub const MAX_DECODER_BYTES: u64 = 256 * 1024 * 1024;
/// Longest side a picture may declare, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// Why a picture is not drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    #[error("the picture is {bytes} bytes, more than the {limit} shown")]
    TooManyBytes { bytes: u64, limit: u64 },
    #[error("the picture is {width}x{height} pixels, more than the {limit} shown")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the picture is not PNG, JPEG, GIF or WebP")]
    Format,
    #[error("the picture cannot be decoded: {0}")]
    Decode(String),
    #[error("the file cannot be read: {0}")]
    Read(String),
    #[error("the photo is not a data: URI with base64 content")]
    NotData,
    #[error("the photo's base64 content is broken: {0}")]
    Base64(String),
}

/// A decoded picture, scaled down, ready to draw.
#[derive(Debug, Clone)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub handle: Handle,
}

impl Picture {
    /// The memory it holds, for caches bounded in bytes.
    pub fn bytes(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height) * 4
    }
}

/// How a decoded picture is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Cropped to a square of this side (avatars).
    Square(u32),
    /// Both sides at most this, the proportions kept (previews).
    Within(u32),
}

/// Decodes `bytes` (at most `max_pixels` declared) and scales it.
pub fn decode(bytes: &[u8], max_pixels: u64, fit: Fit) -> Result<Picture, PictureError> {
    let image = decode_image(bytes, max_pixels)?;
    Ok(scale(image, fit))
}

/// Decodes `bytes` at full size (at most `max_pixels` declared).
pub fn decode_image(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, PictureError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PictureError::Decode(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP) => {}
        _ => return Err(PictureError::Format),
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| PictureError::Decode(e.to_string()))?;
    if u64::from(width) * u64::from(height) > max_pixels || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PictureError::TooManyPixels {
            width,
            height,
            limit: max_pixels,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PictureError::Decode(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| PictureError::Decode(e.to_string()))
}

/// Scales a decoded picture down (never up) and makes it drawable.
pub fn scale(image: DynamicImage, fit: Fit) -> Picture {
    drawable(scaled(image, fit))
}

/// Scales a decoded picture down (never up), as RGBA pixels.
pub fn scaled(image: DynamicImage, fit: Fit) -> RgbaImage {
    let scaled = match fit {
        Fit::Square(side) => image.resize_to_fill(side, side, FilterType::Triangle),
        Fit::Within(side) if image.width() > side || image.height() > side => image.thumbnail(side, side),
        Fit::Within(_) => image,
    };
    scaled.into_rgba8()
}

/// RGBA pixels as a picture iced draws.
pub fn drawable(rgba: RgbaImage) -> Picture {
    let (width, height) = rgba.dimensions();
    Picture {
        width,
        height,
        handle: Handle::from_rgba(width, height, rgba.into_raw()),
    }
}

/// Reads at most `max_bytes` of the file at `path` (a longer file is an
/// error, not cut).
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, PictureError> {
    let file = std::fs::File::open(path).map_err(|e| PictureError::Read(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| PictureError::Read(e.to_string()))?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > max_bytes {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(read);
        return Err(PictureError::TooManyBytes {
            bytes,
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

/// Whether `path` is named as a picture the window previews.
pub fn is_picture(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["png", "jpg", "jpeg", "gif", "webp"]
            .iter()
            .any(|p| e.eq_ignore_ascii_case(p))
    })
}

/// Runs blocking picture work on tokio's blocking threads; `None` if the
/// work panicked or was cancelled.
pub async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::warn!("picture work did not finish: {e}");
            None
        }
    }
}

#[cfg(test)]
pub mod tests;
