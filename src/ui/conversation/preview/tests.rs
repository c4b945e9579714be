use super::*;
use crate::ui::picture::tests::encoded;
use ::image::ImageFormat;

fn ready(side: u32) -> Result<Picture, PictureError> {
    let bytes = encoded(side, side, ImageFormat::Png);
    picture::decode(&bytes, MAX_PIXELS, Fit::Within(side))
}

#[test]
fn pictures_on_disk_become_thumbnails_and_broken_ones_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("holiday.jpg");
    std::fs::write(&photo, encoded(800, 600, ImageFormat::Jpeg)).unwrap();
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\n not really").unwrap();
    let gone = dir.path().join("gone.gif");
    let mut previews = Previews::default();
    let jobs = previews.wanted(vec![photo.clone(), broken.clone(), gone.clone()]);
    assert_eq!(jobs.len(), 3);
    assert!(matches!(previews.get(&photo), Some(Slot::Loading)));
    assert!(previews.wanted(vec![photo.clone()]).is_empty(), "asked for once");
    previews.decoded(decode_all(jobs));
    let Some(Slot::Ready(thumbnail)) = previews.get(&photo) else {
        panic!("no thumbnail");
    };
    assert_eq!((thumbnail.width, thumbnail.height), (THUMBNAIL_SIDE, 180));
    assert_eq!(previews.bytes(), thumbnail.bytes());
    let Some(Slot::Broken(error)) = previews.get(&broken) else {
        panic!("not broken");
    };
    assert_eq!(
        problem_words(error),
        "This picture cannot be shown: it is damaged or not a picture."
    );
    let Some(Slot::Broken(error)) = previews.get(&gone) else {
        panic!("not broken");
    };
    assert!(matches!(error, PictureError::Read(_)));
}

#[test]
fn the_cache_forgets_the_least_recently_wanted_first() {
    let mut previews = Previews::default();
    let each = ready(THUMBNAIL_SIDE).unwrap().bytes();
    let fit = usize::try_from(MAX_CACHE_BYTES / each).unwrap();
    let paths: Vec<PathBuf> = (0..=fit).map(|i| PathBuf::from(format!("/p/{i}.png"))).collect();
    for path in &paths {
        let jobs = previews.wanted(vec![path.clone()]);
        // The first picture stays in view all along.
        previews.wanted(vec![paths[0].clone()]);
        previews.decoded(jobs.into_iter().map(|p| (p, ready(THUMBNAIL_SIDE))).collect());
    }
    assert!(previews.bytes() <= MAX_CACHE_BYTES);
    assert!(
        matches!(previews.get(&paths[0]), Some(Slot::Ready(_))),
        "in view: kept"
    );
    assert!(
        previews.get(&paths[1]).is_none(),
        "least recently wanted: forgotten"
    );
    assert!(matches!(previews.get(&paths[fit]), Some(Slot::Ready(_))));
    // Forgotten, it is decoded again when it comes back into view.
    assert_eq!(previews.wanted(vec![paths[1].clone()]), vec![paths[1].clone()]);
}

#[test]
fn only_finished_pictures_are_previewed_the_newest_first() {
    use crate::ui::transfers::TransferKey;
    let conversation = crate::ui::conversation::ConversationKey::stored("local", "sip:bob@example.org");
    let transfer = |n: u64, name: &str, state: State| Transfer {
        key: TransferKey::Stored(n as i64),
        conversation: conversation.clone(),
        incoming: true,
        name: name.into(),
        size: None,
        at: n,
        state,
        source: None,
    };
    let done = |name: &str| State::Done {
        path: PathBuf::from(format!("/in/{name}")),
    };
    let mut all = vec![
        transfer(1, "a.png", done("a.png")),
        transfer(2, "b.pdf", done("b.pdf")),
        transfer(3, "c.webp", State::Starting),
        transfer(4, "d.JPG", done("d.JPG")),
    ];
    for n in 5..(4 + MAX_ASKED as u64) {
        all.push(transfer(n, "x.gif", done(&format!("{n}.gif"))));
    }
    let refs: Vec<&Transfer> = all.iter().collect();
    let wanted = pictures_of(&refs);
    assert_eq!(wanted.len(), MAX_ASKED);
    assert_eq!(wanted[0], PathBuf::from("/in/d.JPG"));
    assert!(
        !wanted.contains(&PathBuf::from("/in/a.png")),
        "the oldest picture is left out"
    );
    assert!(!wanted.contains(&PathBuf::from("/in/b.pdf")));
}
