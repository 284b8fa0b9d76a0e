/** An API refusal or a network error, in words, announced to screen readers. */
export function ProblemBox({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : 'Something went wrong; try again.';
  return (
    <div class="error-box" role="alert">
      {text}
    </div>
  );
}
