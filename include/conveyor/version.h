#pragma once
namespace conveyor {
inline constexpr const char* kVersion = "0.1.0";
}
