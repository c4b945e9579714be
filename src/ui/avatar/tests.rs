use super::*;
use crate::ui::picture::tests::encoded;
use ::image::ImageFormat;
use sipchat::model::ContactDraft;

fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn with_photo(id: i64, photo: Option<String>) -> Contact {
    Contact {
        id: ContactId(id),
        details: ContactDraft {
            name: format!("c{id}"),
            addresses: vec![format!("sip:c{id}@example.org")],
            photo,
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

#[test]
fn png_and_jpeg_data_uris_become_square_photos() {
    for (mime, format) in [("image/png", ImageFormat::Png), ("image/jpeg", ImageFormat::Jpeg)] {
        let uri = data_uri(mime, &encoded(120, 80, format));
        let photo = decode_photo(&uri).unwrap();
        assert_eq!((photo.width, photo.height), (PHOTO_SIDE, PHOTO_SIDE), "{mime}");
    }
    // Round: the corners are transparent, the middle is not.
    let mut square = ::image::RgbaImage::from_pixel(10, 10, ::image::Rgba([9, 9, 9, 255]));
    round(&mut square);
    assert_eq!(square.get_pixel(0, 0).0[3], 0);
    assert_eq!(square.get_pixel(5, 5).0[3], 255);
    // vCard 3 folds long lines: whitespace inside the base64 is dropped.
    let folded = data_uri("image/png", &encoded(8, 8, ImageFormat::Png)).replace("base64,", "base64,\r\n ");
    assert!(decode_photo(&folded).is_ok());
}

#[test]
fn bad_photos_are_named_and_never_decoded_past_the_limits() {
    assert_eq!(
        decode_photo("https://example.org/me.jpg").unwrap_err(),
        PictureError::NotData
    );
    assert_eq!(
        decode_photo("data:image/png,plain").unwrap_err(),
        PictureError::NotData
    );
    assert!(matches!(
        decode_photo("data:image/png;base64,@@@@"),
        Err(PictureError::Base64(_))
    ));
    let huge = format!(
        "data:image/png;base64,{}",
        "A".repeat(MAX_PHOTO_BYTES / 3 * 4 + 8)
    );
    assert!(matches!(
        decode_photo(&huge),
        Err(PictureError::TooManyBytes { .. })
    ));
    // 5000x4000 declared: refused before its pixels are allocated.
    let wide = data_uri("image/png", &encoded(5000, 4000, ImageFormat::Png));
    assert!(matches!(
        decode_photo(&wide),
        Err(PictureError::TooManyPixels {
            width: 5000,
            height: 4000,
            ..
        })
    ));
}

#[test]
fn each_photo_is_decoded_once_and_a_changed_or_removed_one_is_followed() {
    let good = data_uri("image/png", &encoded(8, 8, ImageFormat::Png));
    let mut photos = Photos::default();
    let contacts = vec![
        with_photo(1, Some(good.clone())),
        with_photo(2, None),
        with_photo(3, Some("data:image/png;base64,AAAA".into())),
    ];
    let jobs = photos.wanted(&contacts);
    assert_eq!(jobs.iter().map(|j| j.contact.0).collect::<Vec<_>>(), vec![1, 3]);
    assert!(photos.wanted(&contacts).is_empty(), "asked for once");
    photos.decoded(decode_all(jobs));
    assert!(photos.get(Some(ContactId(1))).is_some());
    assert!(
        photos.get(Some(ContactId(3))).is_none(),
        "the broken one keeps its letter"
    );
    assert!(photos.get(None).is_none());
    assert!(photos.wanted(&contacts).is_empty(), "neither is decoded again");

    // A new photo for 1 is decoded afresh; the old one is dropped at once.
    let other = data_uri("image/jpeg", &encoded(16, 16, ImageFormat::Jpeg));
    let changed = vec![with_photo(1, Some(other)), with_photo(3, None)];
    let jobs = photos.wanted(&changed);
    assert_eq!(jobs.len(), 1);
    assert!(photos.get(Some(ContactId(1))).is_none(), "the old photo is gone");
    photos.decoded(decode_all(jobs));
    assert!(photos.get(Some(ContactId(1))).is_some());
    // A late result for a photo no longer current is dropped.
    let stale = decode_all(vec![PhotoJob {
        contact: ContactId(3),
        fingerprint: 42,
        uri: good,
    }]);
    photos.decoded(stale);
    assert!(photos.get(Some(ContactId(3))).is_none());
}

#[test]
fn at_most_max_photos_are_kept_the_rest_keep_their_letters() {
    let contacts: Vec<Contact> = (0..=MAX_PHOTOS as i64)
        .map(|id| with_photo(id, Some(format!("data:image/png;base64,{id}"))))
        .collect();
    let mut photos = Photos::default();
    assert_eq!(photos.wanted(&contacts).len(), MAX_PHOTOS);
    // One photo fewer: the one left out gets its turn.
    assert_eq!(photos.wanted(&contacts[1..]).len(), 1);
}
