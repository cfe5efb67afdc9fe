//! Document ids generated the way the service does.
//!
//! The sample's records carry lowercase hyphenated UUIDs (`f77e039f-f1cf-4aa8-bd59-16cbaa91e6ea`);
//! records added through this emulator get the same shape (random version-4 UUIDs).

/// A new document id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_have_the_shape_of_the_sample_ids_and_differ() {
        let a = super::new_id();
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, super::new_id());
    }
}
