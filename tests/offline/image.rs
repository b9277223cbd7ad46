//! The operator image: `image/build.sh` (what `make image` runs on the static
//! release binary) packs this test run's own binary into an OCI image layout
//! archive; the archive is unpacked and checked as a registry or runtime
//! would (every blob's digest and size against what names it, the layer's
//! uncompressed digest against the config), the config is the one the chart
//! relies on (non-root numeric user, the entrypoint, version/source/revision
//! labels), and the binary runs from the unpacked root filesystem alone: as
//! root, in a read-only bind mount of it, chrooted, as the image's user; else
//! through the loader the image carries. Beside it, a static arm64
//! executable: the index holds one image per architecture, each taken from
//! its binary's ELF header (`make image` builds amd64 and arm64).

use crate::support::offline::repo;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use sha2::{Digest, Sha256};

const SOURCE: &str = "https://git.example.org/govcloud/govcloud";

/// The archive, built once per test process from the test's own `govcloud`.
fn archive() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("image-{}", std::process::id()))
            .join("govcloud.oci.tar");
        // Beside it, a static arm64 executable: the image index holds one image per architecture.
        let arm64 = out.with_file_name("exit0-arm64");
        std::fs::create_dir_all(out.parent().expect("dir")).expect("mkdir");
        std::fs::write(&arm64, arm64_exit0()).expect("write");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&arm64, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let built = Command::new(repo().join("image/build.sh"))
            .arg("--binary")
            .arg(env!("CARGO_BIN_EXE_govcloud"))
            .arg("--binary")
            .arg(&arm64)
            .arg("--output")
            .arg(&out)
            .env("IMAGE_SOURCE", SOURCE)
            .output()
            .expect("image/build.sh");
        assert!(built.status.success(), "image/build.sh: {}", String::from_utf8_lossy(&built.stderr));
        out
    })
}

/// The smallest static Linux arm64 executable: an ELF header, one loadable
/// segment, and `mov x0, #0; mov x8, #93 (exit); svc #0`.
fn arm64_exit0() -> Vec<u8> {
    const BASE: u64 = 0x40_0000;
    let code: [u32; 3] = [0xd280_0000, 0xd280_0ba8, 0xd400_0001];
    let size = 64 + 56 + 4 * code.len() as u64;
    let mut b = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    b.extend(2u16.to_le_bytes()); // ET_EXEC
    b.extend(ELF_ARM64.to_le_bytes());
    b.extend(1u32.to_le_bytes());
    b.extend((BASE + 120).to_le_bytes()); // entry: the code
    b.extend(64u64.to_le_bytes()); // program headers
    b.extend(0u64.to_le_bytes()); // no section headers
    b.extend(0u32.to_le_bytes());
    for half in [64u16, 56, 1, 0, 0, 0] {
        b.extend(half.to_le_bytes());
    }
    b.extend(1u32.to_le_bytes()); // PT_LOAD
    b.extend(5u32.to_le_bytes()); // R X
    for word in [0, BASE, BASE, size, size, 0x1000] {
        b.extend(word.to_le_bytes());
    }
    for insn in code {
        b.extend(insn.to_le_bytes());
    }
    b
}

/// ELF machine numbers (e_machine).
const ELF_AMD64: u16 = 62;
const ELF_ARM64: u16 = 183;

/// The ELF machine of a binary.
fn elf_machine(binary: &Path) -> u16 {
    let bytes = std::fs::read(binary).unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert_eq!(&bytes[..4], b"\x7fELF", "{} is an ELF binary", binary.display());
    u16::from_le_bytes([bytes[18], bytes[19]])
}

fn sh(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// An unpacked image: the layout's folder, its manifest and config.
struct Unpacked {
    dir: tempfile::TempDir,
    manifest: Value,
    config: Value,
}

impl Unpacked {
    /// Reads the blob a descriptor names, checking its digest and size.
    fn blob(dir: &Path, descriptor: &Value) -> Vec<u8> {
        let digest = descriptor["digest"].as_str().expect("digest");
        let hex = digest.strip_prefix("sha256:").unwrap_or_else(|| panic!("{digest} is not sha256"));
        let bytes = std::fs::read(dir.join("blobs/sha256").join(hex)).unwrap_or_else(|e| panic!("blob {digest}: {e}"));
        assert_eq!(sha256_hex(&bytes), hex, "blob {digest} does not hash to its name");
        assert_eq!(descriptor["size"], bytes.len(), "size of {digest}");
        bytes
    }

    fn layout(&self) -> PathBuf {
        self.dir.path().join("layout")
    }

    fn rootfs(&self) -> PathBuf {
        self.dir.path().join("rootfs")
    }
}

/// The image of this host's architecture (the test's own binary).
fn unpack() -> Unpacked {
    unpack_arch("amd64")
}

fn unpack_arch(arch: &str) -> Unpacked {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("layout");
    std::fs::create_dir_all(&layout).expect("mkdir");
    sh(Command::new("tar").arg("-xf").arg(archive()).arg("-C").arg(&layout));
    let layout_file: Value =
        serde_json::from_slice(&std::fs::read(layout.join("oci-layout")).expect("oci-layout")).expect("json");
    assert_eq!(layout_file["imageLayoutVersion"], "1.0.0");
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index.json")).expect("json");
    assert_eq!(index["schemaVersion"], 2);
    let manifests = index["manifests"].as_array().expect("manifests");
    let archs: Vec<&str> = manifests.iter().filter_map(|m| m["platform"]["architecture"].as_str()).collect();
    assert_eq!(archs, ["amd64", "arm64"], "one image per architecture: {index}");
    let entry = manifests.iter().find(|m| m["platform"]["architecture"] == arch).expect("the architecture's image");
    assert_eq!(entry["platform"]["os"], "linux");
    assert_eq!(entry["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(entry["annotations"]["org.opencontainers.image.ref.name"], env!("CARGO_PKG_VERSION"));
    let manifest: Value = serde_json::from_slice(&Unpacked::blob(&layout, entry)).expect("manifest json");
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
    let config: Value = serde_json::from_slice(&Unpacked::blob(&layout, &manifest["config"])).expect("config json");
    let layers = manifest["layers"].as_array().expect("layers");
    let diff_ids = config["rootfs"]["diff_ids"].as_array().expect("diff_ids");
    assert_eq!(layers.len(), diff_ids.len(), "one diff_id per layer");
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).expect("mkdir");
    for (layer, diff_id) in layers.iter().zip(diff_ids) {
        assert_eq!(layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
        let compressed = dir.path().join("layer.tar.gz");
        std::fs::write(&compressed, Unpacked::blob(&layout, layer)).expect("write layer");
        let tar = sh(Command::new("gzip").arg("-dc").arg(&compressed)).stdout;
        assert_eq!(
            format!("sha256:{}", sha256_hex(&tar)),
            diff_id.as_str().expect("diff_id"),
            "the config's diff_id of {}",
            layer["digest"]
        );
        let listing =
            String::from_utf8(sh(Command::new("tar").args(["-tvz", "--numeric-owner", "-f"]).arg(&compressed)).stdout)
                .expect("utf-8");
        for line in listing.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (mode, owner, path) = (fields[0], fields[1], *fields.last().expect("path"));
            assert_eq!(owner, "0/0", "{line}");
            assert!(!mode[4..].contains('w'), "writable by group or others: {line}");
            if mode.starts_with('-') {
                let shared_object = path.starts_with("lib") && path.contains(".so");
                assert!(
                    path == "usr/local/bin/govcloud" || shared_object,
                    "the image holds more than the binary and its libraries: {line}"
                );
            }
        }
        sh(Command::new("tar").arg("-xzf").arg(&compressed).arg("-C").arg(&rootfs));
    }
    Unpacked { dir, manifest, config }
}

#[test]
fn the_archive_is_an_oci_image_whose_config_runs_govcloud_as_non_root() {
    let image = unpack();
    assert!(image.layout().join("blobs/sha256").is_dir());
    let config = &image.config;
    assert_eq!(config["os"], "linux");
    assert_eq!(config["architecture"], "amd64");
    let c = &config["config"];
    assert_eq!(c["User"], "65532:65532", "a numeric non-root user (runAsNonRoot can verify it)");
    assert_eq!(c["Entrypoint"], serde_json::json!(["/usr/local/bin/govcloud"]));
    assert!(c["Cmd"].is_null(), "the chart passes the arguments");
    let labels = &c["Labels"];
    assert_eq!(labels["org.opencontainers.image.title"], "govcloud");
    assert_eq!(labels["org.opencontainers.image.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(labels["org.opencontainers.image.source"], SOURCE);
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|o| o.status.success());
    let revision = labels["org.opencontainers.image.revision"].as_str().expect("revision label");
    match head {
        Some(head) => {
            assert!(revision.starts_with(String::from_utf8_lossy(&head.stdout).trim()), "revision {revision}")
        }
        None => assert!(!revision.is_empty()),
    }
    assert_eq!(image.manifest["annotations"]["org.opencontainers.image.version"], env!("CARGO_PKG_VERSION"));
    let binary = image.rootfs().join("usr/local/bin/govcloud");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&binary).expect("binary in the rootfs").permissions().mode() & 0o777, 0o755);
}

/// Runs the image's entrypoint with `args` from the unpacked root filesystem only.
fn run_in_rootfs(rootfs: &Path, args: &[&str]) -> Output {
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let can_mount = is_root && Command::new("unshare").args(["--mount", "true"]).status().is_ok_and(|s| s.success());
    if can_mount {
        // As a runtime would: the root filesystem read-only, the image's user.
        let script = r#"root="$1"; shift; mount --bind "$root" "$root" && mount -o remount,bind,ro "$root" && exec chroot --userspec=65532:65532 "$root" /usr/local/bin/govcloud "$@""#;
        return Command::new("unshare")
            .args(["--mount", "sh", "-c", script, "sh"])
            .arg(rootfs)
            .args(args)
            .output()
            .expect("unshare");
    }
    // Unprivileged (or no mount namespace): the image's own loader and libraries (none when static).
    let binary = rootfs.join("usr/local/bin/govcloud");
    let loader =
        ["lib64/ld-linux-x86-64.so.2", "lib/ld-linux-x86-64.so.2"].iter().map(|l| rootfs.join(l)).find(|l| l.exists());
    match loader {
        Some(loader) => {
            let dirs: Vec<String> = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib"]
                .iter()
                .map(|d| rootfs.join(d).display().to_string())
                .collect();
            Command::new(loader)
                .arg("--library-path")
                .arg(dirs.join(":"))
                .arg(&binary)
                .args(args)
                .output()
                .expect("loader")
        }
        None => Command::new(&binary).args(args).output().expect("static binary"),
    }
}

#[test]
fn each_architectures_image_holds_a_binary_for_that_architecture() {
    for (arch, machine) in [("amd64", ELF_AMD64), ("arm64", ELF_ARM64)] {
        let image = unpack_arch(arch);
        assert_eq!(image.config["architecture"], arch);
        assert_eq!(image.config["os"], "linux");
        assert_eq!(elf_machine(&image.rootfs().join("usr/local/bin/govcloud")), machine, "the {arch} image's binary");
        assert_eq!(image.config["config"]["User"], "65532:65532");
    }
    // A binary of an architecture the image does not know is refused, named.
    let dir = tempfile::tempdir().expect("tempdir");
    let odd = dir.path().join("odd");
    let mut bytes = arm64_exit0();
    bytes[18..20].copy_from_slice(&3u16.to_le_bytes()); // i386
    std::fs::write(&odd, bytes).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&odd, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = Command::new(repo().join("image/build.sh"))
        .arg("--binary")
        .arg(&odd)
        .arg("--output")
        .arg(dir.path().join("x.oci.tar"))
        .env("IMAGE_SOURCE", SOURCE)
        .output()
        .expect("image/build.sh");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ELF machine 3 is none of amd64 (62), arm64 (183), loong64 (258)"), "{err}");
}

#[test]
fn the_binary_runs_from_the_unpacked_root_filesystem_alone() {
    let image = unpack();
    let version = run_in_rootfs(&image.rootfs(), &["--version"]);
    assert!(version.status.success(), "{}", String::from_utf8_lossy(&version.stderr));
    assert_eq!(String::from_utf8_lossy(&version.stdout), format!("govcloud {}\n", env!("CARGO_PKG_VERSION")));
    let controls = run_in_rootfs(&image.rootfs(), &["controls"]);
    assert!(controls.status.success(), "{}", String::from_utf8_lossy(&controls.stderr));
    let text = String::from_utf8(controls.stdout).expect("utf-8");
    assert!(text.starts_with("| id | 控制项 | control |"), "{text}");
    assert_eq!(text, govcloud::controls::markdown_table(), "the image's catalogue is this build's");
    assert!(text.lines().count() > 30, "{text}");
}
