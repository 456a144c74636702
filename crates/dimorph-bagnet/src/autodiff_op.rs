//! Recording a custom operation on burn's autodiff graph (burn's `Backward::prepare`, as in its
//! `examples/custom-cubecl-kernel`): the operation's output with its parents, and the state its
//! backward pass needs when a parent needs a gradient. One macro for the kernels of [`crate::cpu`]
//! and the training batch norm of [`crate::plain_norm`] (burn does not export the node type that a
//! function taking the parents would have to name).

/// `record_op!(op, [parent nodes], state, output)`: `output` (the inner backend's float tensor) as
/// an autodiff tensor whose backward pass is `op`'s, called with `state`; `state` is evaluated only
/// when some parent needs a gradient.
macro_rules! record_op {
    ($op:expr, [$($node:expr),+ $(,)?], $state:expr, $out:expr $(,)?) => {
        match burn::backend::autodiff::ops::Backward::prepare::<
            burn::backend::autodiff::checkpoint::strategy::NoCheckpointing,
        >($op, [$($node.clone()),+])
        .compute_bound()
        .stateful()
        {
            burn::backend::autodiff::ops::OpsKind::Tracked(prep) => prep.finish($state, $out),
            burn::backend::autodiff::ops::OpsKind::UnTracked(prep) => prep.finish($out),
        }
    };
}

pub(crate) use record_op;
