//! Publishing a reel from a local file (resumable upload): see `app::upload_instagram`.
