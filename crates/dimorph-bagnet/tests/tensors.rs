//! Every float tensor of an Inception-v3 by its path, for the tests that compare weights and
//! batch-norm statistics before and after an operation (`head_phase`, `aux_calibration`).

use std::collections::BTreeMap;

use burn::tensor::backend::Backend;
use burn_store::ModuleSnapshot;
use dimorph_bagnet::net::Net;

/// Every float tensor of an Inception-v3 (weights and batch-norm running statistics) by its path
/// (torchvision's names: `Mixed_6e.branch1x1.bn.running_mean`, `AuxLogits.fc.weight`, ...).
pub fn named<B: Backend>(m: &Net<B>) -> BTreeMap<String, Vec<f32>> {
    let Net::Inception(v) = m else {
        panic!("not an Inception-v3")
    };
    v[0].collect(None, None, false)
        .into_iter()
        .map(|s| {
            let data = s.to_data().unwrap().convert::<f32>().to_vec::<f32>().unwrap();
            (s.full_path(), data)
        })
        .collect()
}
