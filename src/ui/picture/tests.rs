use super::*;
use image::{ImageBuffer, Rgba};

/// A `width`x`height` picture in `format`, a gradient so scaling shows.
pub fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = ImageBuffer::from_fn(width, height, |x, y| {
        Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    });
    let image = DynamicImage::ImageRgba8(image);
    let image = if format == ImageFormat::Jpeg {
        DynamicImage::ImageRgb8(image.into_rgb8())
    } else {
        image
    };
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

#[test]
fn png_jpeg_and_gif_decode_and_scale_down_to_the_fit() {
    for format in [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::Gif,
        ImageFormat::WebP,
    ] {
        let bytes = encoded(300, 200, format);
        let square = decode(&bytes, 1_000_000, Fit::Square(64)).unwrap();
        assert_eq!((square.width, square.height), (64, 64), "{format:?}");
        let within = decode(&bytes, 1_000_000, Fit::Within(150)).unwrap();
        assert_eq!((within.width, within.height), (150, 100), "{format:?}");
        assert_eq!(within.bytes(), 150 * 100 * 4);
        let small = decode(&bytes, 1_000_000, Fit::Within(1000)).unwrap();
        assert_eq!((small.width, small.height), (300, 200), "never scaled up");
    }
}

#[test]
fn too_many_pixels_other_formats_and_garbage_are_named() {
    let bytes = encoded(300, 200, ImageFormat::Png);
    assert_eq!(
        decode(&bytes, 59_999, Fit::Square(64)).unwrap_err(),
        PictureError::TooManyPixels {
            width: 300,
            height: 200,
            limit: 59_999
        }
    );
    // A BMP header: a format the window does not show.
    let bmp = [b"BM".as_slice(), &[0u8; 60]].concat();
    assert_eq!(
        decode(&bmp, 100, Fit::Square(4)).unwrap_err(),
        PictureError::Format
    );
    assert_eq!(
        decode(b"not a picture at all", 100, Fit::Square(4)).unwrap_err(),
        PictureError::Format
    );
    let mut cut = encoded(64, 64, ImageFormat::Png);
    cut.truncate(cut.len() / 2);
    assert!(matches!(
        decode(&cut, 10_000, Fit::Square(4)),
        Err(PictureError::Decode(_))
    ));
}

#[test]
fn files_are_read_up_to_the_limit_and_named_as_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.PNG");
    std::fs::write(&path, vec![7u8; 100]).unwrap();
    assert_eq!(read_file(&path, 100).unwrap().len(), 100);
    assert_eq!(
        read_file(&path, 99).unwrap_err(),
        PictureError::TooManyBytes {
            bytes: 100,
            limit: 99
        }
    );
    assert!(matches!(
        read_file(&dir.path().join("gone.png"), 10),
        Err(PictureError::Read(_))
    ));
    assert!(is_picture(&path));
    assert!(is_picture(Path::new("x.webp")) && is_picture(Path::new("x.jpeg")));
    assert!(!is_picture(Path::new("x.pdf")) && !is_picture(Path::new("png")));
}
