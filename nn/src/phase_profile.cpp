#include "homopt/nn/phase_profile.hpp"

namespace homopt::nn {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::data: return "data";
    case Phase::attention_forward: return "attention_forward";
    case Phase::residual_forward: return "residual_forward";
    case Phase::classifier_forward: return "classifier_forward";
    case Phase::classifier_backward: return "classifier_backward";
    case Phase::residual_backward: return "residual_backward";
    case Phase::attention_backward: return "attention_backward";
    case Phase::gradient_sum: return "gradient_sum";
    case Phase::model: return "model";
    case Phase::optimizer_step: return "optimizer_step";
    case Phase::evaluation: return "evaluation";
  }
  return "unknown";
}

}  // namespace homopt::nn
