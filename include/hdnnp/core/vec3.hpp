// hdnnp: small fixed-size vector and matrix helpers (3-vectors and 3x3 matrices, row-major).
#pragma once

#include <array>
#include <cmath>

namespace hdnnp {

/// A 3-vector. A distinct type (not an alias of std::array) so that the operators below are found by
/// argument-dependent lookup from any namespace; it converts from and to std::array<double, 3>.
struct Vec3 : std::array<double, 3> {};
/// 3x3 matrix, row-major: m[row][col].
struct Mat3 : std::array<Vec3, 3> {};

inline Vec3 operator+(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline Vec3 operator-(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Vec3 operator*(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline Vec3& operator+=(Vec3& a, const Vec3& b) { a[0] += b[0]; a[1] += b[1]; a[2] += b[2]; return a; }
inline Vec3& operator-=(Vec3& a, const Vec3& b) { a[0] -= b[0]; a[1] -= b[1]; a[2] -= b[2]; return a; }
inline double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }

inline Mat3 operator+(const Mat3& a, const Mat3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline Mat3& operator+=(Mat3& a, const Mat3& b) { a[0] += b[0]; a[1] += b[1]; a[2] += b[2]; return a; }
inline Mat3 operator*(double s, const Mat3& a) { return {s * a[0], s * a[1], s * a[2]}; }

/// Determinant of a matrix whose rows are the cell vectors a, b, c: the signed cell volume.
inline double determinant(const Mat3& m) { return dot(m[0], cross(m[1], m[2])); }

/// Reciprocal vectors without the 2 pi: rows b_i with a_i . b_j = delta_ij.
inline Mat3 reciprocal_rows(const Mat3& cell) {
    const double v = determinant(cell);
    const Vec3 b0 = (1.0 / v) * cross(cell[1], cell[2]);
    const Vec3 b1 = (1.0 / v) * cross(cell[2], cell[0]);
    const Vec3 b2 = (1.0 / v) * cross(cell[0], cell[1]);
    return {b0, b1, b2};
}

inline bool all_finite(const Vec3& a) {
    return std::isfinite(a[0]) && std::isfinite(a[1]) && std::isfinite(a[2]);
}

}  // namespace hdnnp
