//! Experiment harness (ignored): times one forward and one training step of a small model.
use burn::module::AutodiffModule;
use burn::tensor::{Distribution, Tensor};
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::{Cpu, CpuTrain};

#[test]
#[ignore]
fn probe() {
    let dev = Default::default();
    let m = BagNetConfig::new(Arch::BagNet17, 1).with_width(0.125).init::<CpuTrain>(&dev);
    for _ in 0..3 {
        let x = Tensor::<Cpu, 4>::random([16, 3, 64, 64], Distribution::Normal(0.0, 1.0), &dev);
        let t = std::time::Instant::now();
        let y = m.valid().forward(x).into_data();
        eprintln!("inner forward {:?} {:?}", t.elapsed(), y.shape);
        let x = Tensor::<CpuTrain, 4>::random([16, 3, 64, 64], Distribution::Normal(0.0, 1.0), &dev);
        let t = std::time::Instant::now();
        let y = m.forward(x).sum();
        let _g = y.backward();
        eprintln!("train step {:?}", t.elapsed());
    }
}
