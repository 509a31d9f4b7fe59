// homopt — umbrella header: everything a C++ user needs.
#pragma once

#include "homopt/api.hpp"
#include "homopt/error.hpp"
#include "homopt/euclidean.hpp"
#include "homopt/grassmann.hpp"
#include "homopt/manifold.hpp"
#include "homopt/methods.hpp"
#include "homopt/minimize.hpp"
#include "homopt/optimizer.hpp"
#include "homopt/orthonormal_frames.hpp"
#include "homopt/random.hpp"
#include "homopt/stiefel.hpp"
#include "homopt/symplectic_grassmann.hpp"
#include "homopt/symplectic_stiefel.hpp"
#include "homopt/types.hpp"
#include "homopt/validate.hpp"
#include "homopt/version.hpp"
