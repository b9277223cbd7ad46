#[test]
fn the_api_version_is_the_group_and_the_version() {
    assert_eq!(super::API_VERSION, format!("{}/{}", super::GROUP, super::VERSION));
    assert!(super::GROUP_PREFIX.starts_with(super::GROUP));
}
