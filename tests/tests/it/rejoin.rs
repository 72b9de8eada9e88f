//! A validator that fell behind takes part in deciding blocks again.
//!
//! With a payment in every block the devnet makes blocks every few tens of
//! milliseconds. A validator frozen for some seconds comes back heights
//! behind and catches up by block sync, which brings the blocks committed up
//! to the moment it asked, while the others go on deciding new heights. It
//! must then decide heights with them again, not stay behind committing
//! only what sync brings once a second (which is what a validator did on
//! the devnet when gossip streams were being closed under it: every fourth
//! block, its own, waited out the 3-second propose timeout).

use std::time::Duration;

use yui_tests::{Devnet, SteadyPayments};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_that_fell_behind_decides_with_the_others_again() {
    let dir = tempfile::tempdir().unwrap();
    let net = Devnet::up(dir.path()).unwrap();
    let (_, load) = SteadyPayments::on(&net, "city").await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let behind = "coord-minami";
    net.freeze(behind);
    let frozen_at = net.height("city").await.unwrap();
    // Its turns to propose cost the others a propose timeout each (3 s).
    tokio::time::sleep(Duration::from_secs(8)).await;
    let moved = net.height("city").await.unwrap() - frozen_at;
    assert!(moved >= 3, "only {moved} blocks while {behind} was frozen");
    net.thaw(behind);

    // Some seconds to catch up, then a window in which it should keep up
    // with the others, not fall a second of blocks behind between syncs.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let start = net.height("city").await.unwrap();
    let mut lag_max = 0;
    for _ in 0..20 {
        let city_h = net.height("city").await.unwrap();
        let its_h = net.height(behind).await.unwrap();
        lag_max = lag_max.max(city_h.saturating_sub(its_h));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let end = net.height("city").await.unwrap();
    let acked = load.stop().await;
    assert!(
        end - start >= 10,
        "the devnet made only {} blocks in the window",
        end - start
    );
    assert!(
        lag_max <= 3,
        "{behind} fell {lag_max} heights behind the city while the devnet made {} blocks",
        end - start
    );
    assert!(!acked.is_empty());
}
