package io.offloadcl.passes;

import io.offloadcl.passes.cleanup.EliminateCommonSubexpressions;
import io.offloadcl.passes.cleanup.EliminateDeadNodes;
import io.offloadcl.passes.cleanup.EliminateIdentity;
import io.offloadcl.passes.fold.FoldBatchNormIntoConv;
import io.offloadcl.passes.fold.FoldConstants;
import io.offloadcl.passes.fold.FoldScaleIntoConv;
import io.offloadcl.passes.fusion.FuseActivation;
import io.offloadcl.passes.fusion.FuseElementwiseChains;
import io.offloadcl.passes.fusion.FuseMatMulAdd;
import io.offloadcl.passes.fusion.FuseMaxPoolIntoConv;
import io.offloadcl.passes.fusion.FuseResidualAdd;
import io.offloadcl.passes.fusion.FuseRowSoftmaxIntoGemm;
import io.offloadcl.passes.fusion.HoistActivationAbovePool;
import io.offloadcl.passes.fusion.RecognizeGelu;
import io.offloadcl.passes.fusion.RecognizeHardSwish;
import io.offloadcl.passes.fusion.RecognizeLayerNorm;
import io.offloadcl.passes.lower.DecomposeGemm;
import io.offloadcl.passes.lower.LowerConvToIm2ColGemm;
import io.offloadcl.passes.lower.LowerConvToIm2ColMatMul;

/** The optimizer's pass order, in one place; every entry says why it sits where it does. */
public final class DefaultPipeline {
  private DefaultPipeline() {}

  /** Runs the default pipeline over {@code g} in place (what {@code InferenceSession} does unless told not to). */
  public static PassReport optimize(io.offloadcl.ir.Graph g, PassContext ctx) {
    return new PassManager(create()).run(g, ctx);
  }

  public static Pipeline create() {
    return new Pipeline()
        .fixedPoint("Simplify", 4,
            "identities, constant chains and duplicates expose each other (folded Shape chains make equal Reshapes)",
            new EliminateIdentity(), new FoldConstants(), new EliminateCommonSubexpressions(), new EliminateDeadNodes())
        .add(new FoldBatchNormIntoConv(),
            "BN must vanish into conv/gemm weights while the conv is still plain, before lowering or fusion")
        .add(new FoldScaleIntoConv(),
            "same for explicit per-channel Mul/Add after a conv; after BN folding, which may expose such chains")
        .add(new RecognizeLayerNorm(),
            "restore LayerNormalization before the elementwise fuser swallows its Sub/Pow/Div pieces")
        .add(new RecognizeGelu(), "restore Gelu before its Mul/Add pieces fuse elsewhere; it is then an epilogue")
        .add(new RecognizeHardSwish(), "restore HardSwish for the same reason, so it can become a conv epilogue")
        .add(new LowerConvToIm2ColMatMul(),
            "adapt to the device before fusing, so the fusers only build ops the device can run")
        .add(new DecomposeGemm(), "same for Gemm on devices without it; its MatMul+Add may then fuse as FusedMatMul")
        .add(new LowerConvToIm2ColGemm(), "strided kxk convs become Im2Col + a pointwise Conv (the fast GEMM), and"
            + " padded unit-stride ones a padding copy + an unpadded Conv (run as shifted views); before the fusers,"
            + " so those Convs still take the residual and activation. Its rule was measured on POCL; sessions"
            + " optimize before placement, so it applies to all")
        .add(new FuseMatMulAdd(), "bias adds go into Gemm first, so the residual and activation see a Gemm")
        .add(new FuseResidualAdd(), "the epilogue adds the residual before the activation, so this runs first")
        .add(new HoistActivationAbovePool(),
            "Conv -> MaxPool -> Relu: move the activation next to the conv so the next pass can fuse it")
        .add(new FuseActivation(), "activation into the heavy op's store, after residual")
        .add(new FuseMaxPoolIntoConv(), "a non-overlapping MaxPool into the conv's store; after the epilogue"
            + " fusers, since the pool follows the epilogue and nothing may join the epilogue after it")
        .add(new FuseRowSoftmaxIntoGemm(), "a row Softmax/LogSoftmax into the small Gemm that feeds it; after the"
            + " epilogue fusers for the same reason")
        .add(new FuseElementwiseChains(), "last fuser: what elementwise work is left becomes single kernels")
        .add(new EliminateDeadNodes(), "drops weights and constants the folds replaced");
  }
}
