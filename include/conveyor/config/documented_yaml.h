#pragma once
// Renders every broker key as documented YAML: config/conveyor.yaml is this
// output (a unit test keeps the two identical), so the documented file never
// drifts from the keys the broker accepts.

#include <string>

namespace conveyor::config {

std::string documented_yaml();

}  // namespace conveyor::config
