import { Button, type ButtonProps } from '@mui/material';
import { type ReactNode, useRef } from 'react';

/**
 * A button that opens the file picker of a hidden `<input type="file">`, named like the button so
 * tests and assistive technology find the input by the same words (no `role=button` on a `<label>`).
 */
export function FileButton({
  label,
  accept,
  multiple,
  onFiles,
  startIcon,
  variant,
  size,
}: {
  label: string;
  accept?: string;
  multiple?: boolean;
  onFiles: (files: File[]) => void;
  startIcon?: ReactNode;
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button
        variant={variant ?? 'text'}
        size={size ?? 'medium'}
        startIcon={startIcon}
        onClick={() => input.current?.click()}
      >
        {label}
      </Button>
      <input
        ref={input}
        type="file"
        hidden
        multiple={multiple ?? false}
        accept={accept}
        aria-label={label}
        tabIndex={-1}
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}
