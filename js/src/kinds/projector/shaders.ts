/** The projector's point shaders (GLSL ES 3.00 through three.js): per-point colour and state
 * (normal, dimmed, search match, neighbour, selected, hidden), round points or label-image sprites. */
export const VERT = /* glsl */ `
in vec3 aColor;
in float aState;
uniform float uScale;
uniform float uSprite;
uniform vec3 uBg;
uniform vec2 uGrid;
out vec3 vColor;
out float vState;
out vec2 vCell;
void main() {
  vState = aState;
  if (aState > 4.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  float k = aState < 0.5 ? 1.0 : aState < 1.5 ? 0.85 : aState < 2.5 ? 1.45 : aState < 3.5 ? 1.6 : 2.3;
  if (uSprite > 0.5) k = aState < 1.5 ? 1.0 : 1.35;
  gl_PointSize = clamp(uScale * k / max(-mv.z, 0.05), 1.5, 192.0);
  vColor = (aState > 0.5 && aState < 1.5) ? mix(aColor, uBg, 0.7) : aColor;
  if (aState > 1.5) gl_Position.z -= 0.01 * gl_Position.w * (aState - 1.0);
  float id = float(gl_VertexID);
  vCell = vec2(mod(id, uGrid.x), floor(id / uGrid.x)) / uGrid;
}`;

export const FRAG = /* glsl */ `
precision highp float;
uniform float uSprite;
uniform sampler2D uAtlas;
uniform vec2 uGrid;
uniform vec3 uRing;
uniform vec3 uBg;
in vec3 vColor;
in float vState;
in vec2 vCell;
void main() {
  vec2 p = gl_PointCoord - 0.5;
  if (uSprite > 0.5) {
    vec3 c = texture(uAtlas, vCell + gl_PointCoord / uGrid).rgb;
    float edge = max(abs(p.x), abs(p.y));
    if (vState > 0.5 && vState < 1.5) c = mix(c, uBg, 0.75);
    if (vState > 3.5 && edge > 0.38) c = uRing;
    else if (edge > (vState > 1.5 ? 0.40 : 0.44)) c = vColor;
    gl_FragColor = vec4(c, 1.0);
    return;
  }
  float r = length(p);
  if (r > 0.5) discard;
  vec3 c = vColor;
  if (vState > 3.5 && r > 0.30) c = uRing;
  else if (vState > 2.5 && vState < 3.5 && r > 0.36) c = mix(uRing, vColor, 0.35);
  else if (r > 0.42) c = vColor * 0.8;
  gl_FragColor = vec4(c, 1.0);
}`;
