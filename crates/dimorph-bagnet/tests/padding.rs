//! Inference with a last short batch padded to the full batch (`train::predict_padded`, what the
//! GPU backend does so that CubeCL sees one batch shape per pass instead of compiling and
//! autotuning a second): the padding changes no image's logits, with any number of images left
//! over, and the padded images' logits are not returned. Checked on the CPU, for a BagNet and for
//! the global baselines (ResNet-50, whose batch norm is in inference mode too).

use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::synth::{self, SynthOptions};
use dimorph_bagnet::train::{predict, predict_padded};
use dimorph_bagnet::Cpu;

#[test]
fn padding_the_last_batch_changes_no_logit() {
    let ds = synth::dataset(&SynthOptions {
        n: 11,
        size: 40,
        effect: 0.3,
        seed: 4,
    });
    let dev = Default::default();
    for (arch, outputs) in [(Arch::BagNet9, 1), (Arch::ResNet50, 3)] {
        let net = BagNetConfig::new(arch, outputs)
            .with_width(0.0625)
            .init_net::<Cpu>(&dev, 5);
        let all: Vec<usize> = (0..11).collect();
        // Batches of 4: 4 + 4 + 3; of 5: 5 + 5 + 1; of 16: one batch of 11.
        for batch in [4, 5, 16] {
            let plain = predict(&net, &ds, &all, batch, &dev).unwrap();
            let padded = predict_padded(&net, &ds, &all, batch, &dev, true).unwrap();
            assert_eq!(plain.len(), 11, "{arch:?} batch {batch}");
            assert_eq!(
                padded.len(),
                11,
                "{arch:?} batch {batch}: the padding's logits are dropped"
            );
            for (i, (a, b)) in plain.iter().zip(&padded).enumerate() {
                assert_eq!(a.len(), outputs);
                for (x, y) in a.iter().zip(b) {
                    assert!(
                        (x - y).abs() <= 1e-5 * x.abs().max(1.0),
                        "{arch:?} batch {batch}, image {i}: {x} unpadded, {y} padded"
                    );
                }
            }
        }
        // One image padded with 15 blank ones gives its logits alone.
        let one = predict_padded(&net, &ds, &[7], 16, &dev, true).unwrap();
        let alone = predict(&net, &ds, &[7], 1, &dev).unwrap();
        assert_eq!(one.len(), 1);
        assert!((one[0][0] - alone[0][0]).abs() <= 1e-5 * alone[0][0].abs().max(1.0));
    }
}
