//! TLS on the API: a node with a certificate serves `https://` clients that
//! trust its authority; with `client_ca_file` it serves only clients holding
//! a certificate from that authority. Certificates are made by `openssl`.

use std::path::Path;
use std::process::Command;

use yui_cli::{Client, Tls};
use yui_node::config::TlsSection;
use yui_tests::{Node, People};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed (Debian's openssl package)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test authority, and a certificate from it for `name` with `ext`.
fn issue(dir: &Path, name: &str, ext: &str) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let ext_file = format!("{name}.ext");
    std::fs::write(dir.join(&ext_file), ext).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &ext_file,
        ],
    );
}

fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Yui town test CA",
        ],
    );
    issue(
        dir,
        "node",
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    );
    issue(dir, "shop", "extendedKeyUsage=clientAuth\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_over_tls_and_mutual_tls() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("tls");
    std::fs::create_dir_all(&certs).unwrap();
    certificates(&certs);
    let p = People::new();
    let tls = |client_ca: bool| TlsSection {
        cert_file: certs.join("node.pem"),
        key_file: certs.join("node.key"),
        client_ca_file: client_ca.then(|| certs.join("ca.pem")),
    };
    let trusting = Tls {
        ca_file: Some(certs.join("ca.pem")),
        ..Tls::default()
    };

    // Server TLS: an https client that trusts the authority is served; a
    // plain client and one without the authority are not.
    let mut node = Node::start_single_with(&dir.path().join("a"), &p, |c| {
        c.api.tls = Some(tls(false));
    })
    .unwrap();
    let https = format!("https://{}", node.endpoint);
    let mut served = None;
    for _ in 0..100 {
        if let Ok(c) = Client::connect_with(&https, &trusting).await {
            served = Some(c);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let c = served.expect("the TLS node serves a client that trusts its authority");
    assert_eq!(c.status().await.unwrap().chain_id, "yui-test");
    assert!(
        Client::connect(&node.endpoint).await.is_err(),
        "plain HTTP/2 served"
    );
    let e = Client::connect_with(&https, &Tls::default())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("--tls-ca"), "{e}");
    node.kill9();

    // Mutual TLS: only a client with a certificate from the authority.
    let _node = Node::start_single_with(&dir.path().join("b"), &p, |c| {
        c.api.tls = Some(tls(true));
    })
    .unwrap();
    let https = format!("https://{}", _node.endpoint);
    let shop = Tls {
        cert_file: Some(certs.join("shop.pem")),
        key_file: Some(certs.join("shop.key")),
        ..trusting.clone()
    };
    let mut served = None;
    for _ in 0..100 {
        if let Ok(c) = Client::connect_with(&https, &shop).await {
            served = Some(c);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let c = served.expect("a client with a certificate is served");
    assert!(c.status().await.unwrap().height < u64::MAX);
    assert!(
        Client::connect_with(&https, &trusting).await.is_err(),
        "a client without a certificate was served"
    );
}
